import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AgentBot, AgentBotList } from "../agent-bots/agent-bots.schemas";
import { AgentBotParams, PlatformAgentBotCreateBody, PlatformAgentBotUpdateBody } from "./agent-bots.schemas";
import { PLATFORM_BASE, PlatformDeleted, platformErrors, platformRoute } from "./shared";

const base = `${PLATFORM_BASE}/agent_bots`;
const tag = "Platform: agent bots";

export const list = createRoute({
  method: "get",
  path: base,
  summary: "Every agent bot: the platform's and the accounts' (a bare array)",
  ...platformRoute(tag, "No `access_token`: only its hash is stored."),
  responses: { 200: json(AgentBotList, "Agent bots"), ...platformErrors },
});

export const create = createRoute({
  method: "post",
  path: base,
  summary: "Create a platform bot (no `account_id`), which any account may attach to its inboxes",
  ...platformRoute(
    tag,
    "With `account_id`, the bot is that account's instead (an unknown account answers 422). The response's " +
      "`access_token` is the only time the token is shown: it is stored as a SHA-256 hash.",
  ),
  request: { body: body(PlatformAgentBotCreateBody, { wrap: "agent_bot" }) },
  responses: { 200: json(AgentBot, "The new bot, with `access_token`"), ...platformErrors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  summary: "Show an agent bot",
  ...platformRoute(tag),
  request: { params: AgentBotParams },
  responses: { 200: json(AgentBot, "The bot"), ...platformErrors },
});

export const update = createRoute({
  method: "patch",
  path: `${base}/{id}`,
  summary: "Update an agent bot",
  ...platformRoute(tag, "Only the fields sent change."),
  request: { params: AgentBotParams, body: body(PlatformAgentBotUpdateBody, { wrap: "agent_bot" }) },
  responses: { 200: json(AgentBot, "The bot"), ...platformErrors },
});

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  summary: "Delete an agent bot",
  ...platformRoute(
    tag,
    "Every inbox it is attached to (in any account) is left without a bot; the conversations it held stay pending.",
  ),
  request: { params: AgentBotParams },
  responses: { 200: json(PlatformDeleted, "Deleted"), ...platformErrors },
});
