import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zClearable, zId, zJsonObject } from "../../lib/zod";
import { zWebhookUrl } from "../../lib/webhook-url";
import { AgentBot } from "../../serializers/agent-bot";

export const AgentBotParams = accountChild("id", "Agent bot id");
export const InboxParams = accountChild("id", "Inbox id");

const text = (max: number) => z.string().trim().max(max);

/** What a bot is made of, on the Application API and the Platform API alike. */
export const AgentBotFields = z.object({
  name: text(255).min(1),
  description: zClearable(text(10_000)).optional(),
  outgoing_url: zClearable(zWebhookUrl)
    .optional()
    .describe(
      "Receives the events of the inboxes the bot is attached to, signed with its `secret` (none: no deliveries)",
    ),
  avatar_url: zClearable(z.url({ protocol: /^https?$/ }).max(2048)).optional(),
  bot_type: z.enum(["webhook"]).optional().describe('Only "webhook" (Chatwoot\'s CSML bots are not supported)'),
  bot_config: zJsonObject.optional(),
});

export const AgentBotCreateBody = AgentBotFields.openapi("AgentBotCreate");
export const AgentBotUpdateBody = AgentBotFields.partial().openapi("AgentBotUpdate");

export const AgentBotList = z.array(AgentBot).openapi("AgentBotList");

/**
 * `agent_bot`: a bot's id to attach, or null (or absent, as Chatwoot) to detach. Ids may come as
 * strings; an empty string detaches too.
 */
export const SetAgentBotBody = z
  .object({
    agent_bot: zClearable(zId)
      .optional()
      .describe("The bot to attach: the account's or a platform bot; null or absent detaches the inbox's bot"),
  })
  .openapi("SetAgentBot");

export const InboxAgentBot = z
  .object({
    agent_bot: z
      .union([AgentBot, z.object({}).strict()])
      .describe("The inbox's bot; an empty object when it has none, as Chatwoot answers"),
  })
  .openapi("InboxAgentBot");

export { AgentBot };
