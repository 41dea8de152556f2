import type { ConversationRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import { unix, unixFloat, unixOrZero } from "../lib/time";
import { Attributes } from "../lib/schemas";
import { contactPushData, ContactPushData } from "./contact";
import { message, Message } from "./message";
import { userPushData, UserPushData, type UserSummary } from "./user";
import type { ContactInboxRow, ContactRow, MessageRow, TeamRow } from "../db/schema";
import { AgentBotSlim, agentBotSlim, type BotSummary } from "./agent-bot";

/** Everything one conversation's JSON needs, loaded by a single joined query. */
export type ConversationView = {
  conversation: ConversationRow;
  contact: ContactRow;
  contactInbox: ContactInboxRow;
  assignee: UserSummary | null;
  assigneeAvailability: string | null;
  team: TeamRow | null;
  lastMessage: MessageRow | null;
  lastMessageUser: UserSummary | null;
  lastMessageUserAvailability: string | null;
  /** The bot that sent the last message, when a bot did. */
  lastMessageBot: BotSummary | null;
  /** The bot holding the conversation (pending until it hands off), which Chatwoot shows as the assignee. */
  assigneeBot: BotSummary | null;
  unreadCount: number;
};

const TeamSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  icon: z.string().nullable(),
  icon_color: z.string().nullable(),
});

export const Conversation = z
  .object({
    meta: z.object({
      sender: ContactPushData,
      channel: z.string(),
      assignee: z
        .union([UserPushData, AgentBotSlim])
        .optional()
        .describe("The agent, or the bot (Chatwoot's agent_bot_slim) while one holds the conversation"),
      assignee_type: z.enum(["User", "AgentBot"]).nullable(),
      team: TeamSummary.optional(),
      hmac_verified: z.boolean(),
    }),
    id: z.number().int().describe("The per-account display id"),
    uuid: z.string(),
    account_id: z.number().int(),
    inbox_id: z.number().int(),
    status: z.enum(["open", "resolved", "pending", "snoozed"]),
    priority: z.enum(["low", "medium", "high", "urgent"]).nullable(),
    labels: z.array(z.string()),
    messages: z.array(Message),
    last_non_activity_message: Message.nullable(),
    additional_attributes: Attributes,
    custom_attributes: Attributes,
    can_reply: z.boolean(),
    muted: z.boolean(),
    snoozed_until: z.number().int().nullable(),
    unread_count: z.number().int(),
    agent_last_seen_at: z.number().int(),
    assignee_last_seen_at: z.number().int(),
    contact_last_seen_at: z.number().int(),
    first_reply_created_at: z.number().int(),
    waiting_since: z.number().int(),
    last_activity_at: z.number().int(),
    timestamp: z.number().int(),
    created_at: z.number().int(),
    updated_at: z.number(),
    sla_policy_id: z.null(),
    assignee_id: z.number().int().nullable(),
    team_id: z.number().int().nullable(),
    contact_inbox: z.object({ source_id: z.string() }),
  })
  .openapi("Conversation");

/** Who may have sent the conversation's last message. */
export const lastMessageSenders = (v: ConversationView) => ({
  user: v.lastMessageUser,
  userAvailability: v.lastMessageUserAvailability,
  bot: v.lastMessageBot,
  contact: v.contact,
});

/** Chatwoot's `assigned_entity`: the bot holding the conversation wins over an agent. */
function assigneeOf(v: ConversationView) {
  if (v.assigneeBot) return { assignee: agentBotSlim(v.assigneeBot), assignee_type: "AgentBot" as const };
  if (v.assignee) return { assignee: userPushData(v.assignee, v.assigneeAvailability), assignee_type: "User" as const };
  return { assignee_type: null };
}

export function conversation(v: ConversationView): z.infer<typeof Conversation> {
  const c = v.conversation;
  const last = v.lastMessage ? message(v.lastMessage, c.displayId, lastMessageSenders(v)) : null;
  return {
    meta: {
      sender: contactPushData(v.contact),
      channel: "Channel::Api",
      ...assigneeOf(v),
      ...(v.team
        ? { team: { id: v.team.id, name: v.team.name, icon: v.team.icon, icon_color: v.team.iconColor } }
        : {}),
      hmac_verified: v.contactInbox.hmacVerified,
    },
    id: c.displayId,
    uuid: c.uuid,
    account_id: c.accountId,
    inbox_id: c.inboxId,
    status: c.status,
    priority: c.priority,
    labels: c.labels,
    messages: last ? [last] : [],
    last_non_activity_message: last,
    additional_attributes: c.additionalAttributes,
    custom_attributes: c.customAttributes,
    can_reply: true,
    muted: c.muted,
    snoozed_until: unix(c.snoozedUntil),
    unread_count: v.unreadCount,
    agent_last_seen_at: unixOrZero(c.agentLastSeenAt),
    assignee_last_seen_at: unixOrZero(c.assigneeLastSeenAt),
    contact_last_seen_at: unixOrZero(c.contactLastSeenAt),
    first_reply_created_at: unixOrZero(c.firstReplyCreatedAt),
    waiting_since: unixOrZero(c.waitingSince),
    last_activity_at: unix(c.lastActivityAt)!,
    timestamp: unix(c.lastActivityAt)!,
    created_at: unix(c.createdAt)!,
    updated_at: unixFloat(c.updatedAt),
    sla_policy_id: null,
    assignee_id: c.assigneeId,
    team_id: c.teamId,
    contact_inbox: { source_id: v.contactInbox.sourceId },
  };
}
