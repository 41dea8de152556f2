import type { AppRouteHandler } from "../openapi";
import { drainForAgent } from "../../services/routing";
import { agent } from "../../serializers/user";
import * as agents from "../../services/agents";
import { setPasswordUrl } from "../../services/sessions";
import type * as routes from "./agents.routes";

const json = (r: agents.AgentRow) => agent(r.user, r.membership);

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const rows = await agents.listAgents(c.var.ctx);
  return c.json(rows.map(json), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  const created = await agents.createAgent(c.var.ctx, input);
  const link = created.passwordToken
    ? { set_password_url: setPasswordUrl(new URL(c.req.url).origin, created.passwordToken) }
    : {};
  return c.json({ ...json(created), ...link }, 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const agent = await agents.updateAgent(c.var.ctx, id, input);
  const { db, outbox, accountId } = c.var.ctx;
  if (input.availability === "online") await drainForAgent(db, outbox, accountId, id);
  if (input.availability !== undefined || input.auto_offline !== undefined) outbox.presenceChanged(accountId);
  return c.json(json(agent), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await agents.removeAgent(c.var.ctx, id);
  return c.json({ message: "Agent removed from the account" }, 200);
};
