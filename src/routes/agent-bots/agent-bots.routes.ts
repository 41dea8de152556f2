import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Deleted } from "../../lib/schemas";
import * as s from "./agent-bots.schemas";

const base = "/api/v1/accounts/{account_id}/agent_bots";
const one = `${base}/{id}`;
const tags = ["Agent bots"];
const member = authenticate({ account: true });
const admin = authenticate({ account: true, admin: true });

const TOKEN_ONCE =
  "The response's `access_token` is the only time the token is shown: it is stored as a SHA-256 hash (Chatwoot " +
  "shows it on every read; here a lost token is replaced with `reset_access_token`).";

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The bots the account may use: its own and the platform's (a bare array)",
  description:
    "Any agent of the account may list them; `secret` is shown to administrators, for the account's own bots only. " +
    "A platform bot's `outgoing_url` is the operator's and not shown.",
  middleware: member,
  request: { params: AccountParams },
  responses: { 200: json(s.AgentBotList, "Agent bots"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a bot of the account (administrators), with its access token shown once",
  description:
    `Only the account's administrators may create bots. ${TOKEN_ONCE} \`outgoing_url\` follows the same address ` +
    "rules as webhooks (private and loopback addresses are refused in production).",
  middleware: admin,
  request: { params: AccountParams, body: body(s.AgentBotCreateBody, { wrap: "agent_bot" }) },
  responses: { 200: json(s.AgentBot, "The new bot, with `access_token`"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: one,
  tags,
  summary: "Show a bot of the account, or a platform bot",
  description: "Any agent of the account may read it; another account's bot id answers 404.",
  middleware: member,
  request: { params: s.AgentBotParams },
  responses: { 200: json(s.AgentBot, "The bot"), ...errors },
});

const updateConfig = {
  path: one,
  tags,
  summary: "Update one of the account's bots (administrators)",
  description:
    "Only the account's administrators may change its own bots; PATCH and PUT behave alike and change only the " +
    "fields sent. A platform bot or another account's bot answers 404.",
  middleware: admin,
  request: { params: s.AgentBotParams, body: body(s.AgentBotUpdateBody, { wrap: "agent_bot" }) },
  responses: { 200: json(s.AgentBot, "The bot"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: one,
  tags,
  summary: "Delete one of the account's bots (administrators)",
  description:
    "Its inboxes are left without a bot, the conversations it held stay pending without one, and its delivery " +
    "records go with it.",
  middleware: admin,
  request: { params: s.AgentBotParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

export const resetAccessToken = createRoute({
  method: "post",
  path: `${one}/reset_access_token`,
  tags,
  summary: "Issue a new access token for one of the account's bots (administrators)",
  description: `The old token stops working at once. ${TOKEN_ONCE}`,
  middleware: admin,
  request: { params: s.AgentBotParams },
  responses: { 200: json(s.AgentBot, "The bot, with the new `access_token`"), ...errors },
});

export const resetSecret = createRoute({
  method: "post",
  path: `${one}/reset_secret`,
  tags,
  summary: "Regenerate a bot's signing secret (administrators); the previous one keeps signing for 24 hours",
  description: "Answers the bot with its new `secret`; a platform bot or another account's bot answers 404.",
  middleware: admin,
  request: { params: s.AgentBotParams },
  responses: { 200: json(s.AgentBot, "The bot with its new secret"), ...errors },
});

const inbox = "/api/v1/accounts/{account_id}/inboxes/{id}";

export const setInboxBot = createRoute({
  method: "post",
  path: `${inbox}/set_agent_bot`,
  tags,
  summary: "Attach a bot to an inbox, or detach it with `agent_bot: null` (administrators)",
  description:
    "The bot must be the account's or a platform bot (otherwise 404). From then on the inbox's new conversations " +
    "start `pending`, held by the bot and not routed to agents, until the bot hands off with `toggle_status` " +
    "`open`; the bot receives the inbox's messages and status changes at its `outgoing_url`. Answers the inbox's " +
    "bot as `GET …/agent_bot` does (Chatwoot answers an empty 200).",
  middleware: admin,
  request: { params: s.InboxParams, body: body(s.SetAgentBotBody, { optional: true }) },
  responses: { 200: json(s.InboxAgentBot, "The inbox's bot now"), ...errors },
});

export const inboxBot = createRoute({
  method: "get",
  path: `${inbox}/agent_bot`,
  tags,
  summary: "The bot attached to an inbox (`agent_bot: {}` when none)",
  description: "Members of the inbox and the account's administrators may call this (anyone else gets 404).",
  middleware: member,
  request: { params: s.InboxParams },
  responses: { 200: json(s.InboxAgentBot, "The inbox's bot"), ...errors },
});
