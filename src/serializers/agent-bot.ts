import type { AgentBotRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import { Attributes, UnixTime } from "../lib/schemas";
import { unix } from "../lib/time";

/** A bot as conversations and messages show it (loaded as one JSON column, never its token hash or secret). */
export type BotSummary = {
  id: number;
  name: string;
  description: string | null;
  avatar_url: string | null;
  outgoing_url: string | null;
  bot_type: string;
  account_id: number | null;
};

export const botSummary = (b: AgentBotRow): BotSummary => ({
  id: b.id,
  name: b.name,
  description: b.description,
  avatar_url: b.avatarUrl,
  outgoing_url: b.outgoingUrl,
  bot_type: b.botType,
  account_id: b.accountId,
});

export const AgentBot = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    avatar_url: z.string().describe("Empty when none"),
    thumbnail: z.string().describe("Chatwoot's name for `avatar_url`"),
    outgoing_url: z
      .string()
      .nullable()
      .optional()
      .describe("Where the bot's inbox events are posted; not shown to accounts for a platform bot"),
    bot_type: z.string().describe('"webhook"'),
    bot_config: Attributes,
    account_id: z.number().int().nullable().describe("null: a platform bot, usable by every account"),
    system_bot: z.boolean().describe("A platform bot (Chatwoot's name)"),
    access_token: z
      .string()
      .optional()
      .describe(
        "The bot's Application API token: only in the responses of create and reset_access_token (it is stored as " +
          "a SHA-256 hash and cannot be shown again)",
      ),
    secret: z
      .string()
      .optional()
      .describe("Signs the deliveries to `outgoing_url` (`whsec_…`): the owning account's administrators only"),
    created_at: UnixTime,
  })
  .openapi("AgentBot");

/** Who sees what of a bot: its owner's administrators (or the operator) see the secret; a token only once. */
export type BotViewer = { owner: boolean; token?: string };

/** Chatwoot's agent bot JSON. A platform bot's URL and secret stay with the operator. */
export function agentBot(b: AgentBotRow, viewer: BotViewer): z.infer<typeof AgentBot> {
  const platformBotSeenByAccount = b.accountId === null && !viewer.owner;
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    avatar_url: b.avatarUrl ?? "",
    thumbnail: b.avatarUrl ?? "",
    ...(platformBotSeenByAccount ? {} : { outgoing_url: b.outgoingUrl }),
    bot_type: b.botType,
    bot_config: b.botConfig,
    account_id: b.accountId,
    system_bot: b.accountId === null,
    ...(viewer.token ? { access_token: viewer.token } : {}),
    ...(viewer.owner ? { secret: b.secret } : {}),
    created_at: unix(b.createdAt)!,
  };
}

/** Chatwoot's `agent_bot_slim`: a conversation's `meta.assignee` while a bot holds it. */
export const AgentBotSlim = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    thumbnail: z.string(),
    avatar_url: z.string(),
    outgoing_url: z.string().nullable().optional(),
    bot_type: z.string(),
    assignee_type: z.literal("AgentBot"),
  })
  .openapi("AgentBotSlim");

export const agentBotSlim = (b: BotSummary): z.infer<typeof AgentBotSlim> => ({
  id: b.id,
  name: b.name,
  description: b.description,
  thumbnail: b.avatar_url ?? "",
  avatar_url: b.avatar_url ?? "",
  ...(b.account_id === null ? {} : { outgoing_url: b.outgoing_url }),
  bot_type: b.bot_type,
  assignee_type: "AgentBot",
});

/** A bot as a message's `sender` (Chatwoot's `AgentBot#push_event_data`). */
export const AgentBotPushData = z
  .object({
    id: z.number().int(),
    name: z.string(),
    avatar_url: z.string(),
    thumbnail: z.string(),
    type: z.literal("agent_bot"),
  })
  .openapi("AgentBotPushData");

export const agentBotPushData = (b: Pick<BotSummary, "id" | "name" | "avatar_url">) => ({
  id: b.id,
  name: b.name,
  avatar_url: b.avatar_url ?? "",
  thumbnail: b.avatar_url ?? "",
  type: "agent_bot" as const,
});

/** A bot as webhook bodies name a sender or a typist: `{id, name, type: "agent_bot"}`, as Chatwoot. */
export const agentBotWebhookData = (b: Pick<BotSummary, "id" | "name" | "avatar_url">) => ({
  id: b.id,
  name: b.name,
  avatar_url: b.avatar_url ?? "",
  type: "agent_bot",
});

/** The SQL JSON object a `BotSummary` column is read from (`b` is the agent_bots alias). */
export const BOT_SUMMARY_JSON = `json_object('id', b.id, 'name', b.name, 'description', b.description,
  'avatar_url', b.avatar_url, 'outgoing_url', b.outgoing_url, 'bot_type', b.bot_type, 'account_id', b.account_id)`;

/** A `BotSummary` column's value (JSON text, or null when no bot). */
export const parseBotSummary = (v: unknown): BotSummary | null =>
  typeof v === "string" ? (JSON.parse(v) as BotSummary) : ((v as BotSummary | null) ?? null);
