import type { AppRouteHandler } from "../openapi";
import type { AgentBotRow } from "../../db/schema";
import { agentBot } from "../../serializers/agent-bot";
import { isAdmin } from "../../services/auth";
import * as bots from "../../services/agent-bots";
import type { AgentContext } from "../../services/context";
import type * as routes from "./agent-bots.routes";

/** The account's administrators see their own bots' secrets; a token only in the response that issued it. */
const json = (ctx: AgentContext, bot: AgentBotRow, token?: string) =>
  agentBot(bot, { owner: isAdmin(ctx.actor) && bot.accountId === ctx.accountId, token });

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const ctx = c.var.ctx;
  return c.json(
    (await bots.listAgentBots(ctx)).map((b) => json(ctx, b)),
    200,
  );
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const ctx = c.var.ctx;
  const { bot, token } = await bots.createAgentBot(ctx.db, ctx.accountId, c.req.valid("json"), c.env);
  return c.json(json(ctx, bot, token), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(json(c.var.ctx, await bots.showAgentBot(c.var.ctx, id)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(json(c.var.ctx, await bots.updateAgentBot(c.var.ctx, id, c.req.valid("json"), c.env)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await bots.deleteAgentBot(c.var.ctx, id);
  return c.json({ message: "Agent bot deleted" }, 200);
};

export const resetAccessToken: AppRouteHandler<typeof routes, "resetAccessToken"> = async (c) => {
  const { id } = c.req.valid("param");
  const { bot, token } = await bots.resetAgentBotToken(c.var.ctx, id);
  return c.json(json(c.var.ctx, bot, token), 200);
};

export const resetSecret: AppRouteHandler<typeof routes, "resetSecret"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(json(c.var.ctx, await bots.resetAgentBotSecret(c.var.ctx, id)), 200);
};

const inboxBotJson = (ctx: AgentContext, bot: AgentBotRow | null) => ({ agent_bot: bot ? json(ctx, bot) : {} });

export const setInboxBot: AppRouteHandler<typeof routes, "setInboxBot"> = async (c) => {
  const { id } = c.req.valid("param");
  const { agent_bot } = c.req.valid("json");
  return c.json(inboxBotJson(c.var.ctx, await bots.setInboxBot(c.var.ctx, id, agent_bot ?? null)), 200);
};

export const inboxBot: AppRouteHandler<typeof routes, "inboxBot"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(inboxBotJson(c.var.ctx, await bots.inboxBot(c.var.ctx, id)), 200);
};
