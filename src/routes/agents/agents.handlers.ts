import type { AppRouteHandler } from "../openapi";
import { drainForAgent } from "../../services/routing";
import { parseBody } from "../../lib/body";
import type { AppEnv } from "../../middleware/context";
import { agent } from "../../serializers/user";
import * as agents from "../../services/agents";
import { setPasswordUrl } from "../../services/sessions";
import { AgentCreateBody, AgentUpdateBody } from "./agents.schemas";
import type * as routes from "./agents.routes";

const scope = (c: { var: AppEnv["Variables"] }) => ({ db: c.var.db, accountId: c.var.principal.account!.id });
const json = (r: agents.AgentRow) => agent(r.user, r.membership);

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const rows = await agents.listAgents(scope(c));
  return c.json(rows.map(json), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = await parseBody(c, AgentCreateBody, "agent");
  const created = await agents.createAgent(scope(c), input);
  const link = created.passwordToken
    ? { set_password_url: setPasswordUrl(new URL(c.req.url).origin, created.passwordToken) }
    : {};
  return c.json({ ...json(created), ...link }, 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = await parseBody(c, AgentUpdateBody, "agent");
  const agent = await agents.updateAgent(scope(c), id, input);
  if (input.availability === "online") await drainForAgent(c.var.db, c.var.outbox, scope(c).accountId, id);
  if (input.availability !== undefined || input.auto_offline !== undefined)
    c.var.outbox.presenceChanged(scope(c).accountId);
  return c.json(json(agent), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await agents.removeAgent(scope(c), id);
  return c.json({ message: "Agent removed from the account" }, 200);
};
