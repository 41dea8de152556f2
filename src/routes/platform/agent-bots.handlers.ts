import type { AppRouteHandler } from "../openapi";
import { agentBot } from "../../serializers/agent-bot";
import * as bots from "../../services/agent-bots";
import type * as routes from "./agent-bots.routes";

// The operator owns every bot: its secret is theirs to see.
const operator = { owner: true };

export const list: AppRouteHandler<typeof routes, "list"> = async (c) =>
  c.json(
    (await bots.listAllAgentBots(c.var.db)).map((b) => agentBot(b, operator)),
    200,
  );

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const { bot, token } = await bots.createPlatformAgentBot(c.var.db, c.req.valid("json"), c.env);
  return c.json(agentBot(bot, { owner: true, token }), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(agentBot(await bots.findAgentBot(c.var.db, id), operator), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(agentBot(await bots.updateAnyAgentBot(c.var.db, id, c.req.valid("json"), c.env), operator), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await bots.deleteAnyAgentBot(c.var.db, id);
  return c.json({ message: "Agent bot deleted" }, 200);
};
