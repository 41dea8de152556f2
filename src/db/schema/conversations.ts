import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { bool, jsonObject, timestamps } from "./columns";
import { accounts } from "./accounts";
import { contactInboxes, contacts } from "./contacts";
import { inboxes } from "./inboxes";
import { teams } from "./teams";
import { users } from "./users";
import { agentBots } from "./bots";

export const CONVERSATION_STATUSES = ["open", "resolved", "pending", "snoozed"] as const;
export const PRIORITIES = ["low", "medium", "high", "urgent"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];

export const conversations = sqliteTable(
  "conversations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Per-account sequence; this is the `id` clients see. */
    displayId: integer("display_id").notNull(),
    uuid: text("uuid").notNull(),
    inboxId: integer("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    contactInboxId: integer("contact_inbox_id")
      .notNull()
      .references(() => contactInboxes.id, { onDelete: "cascade" }),
    status: text("status", { enum: CONVERSATION_STATUSES }).notNull().default("open"),
    priority: text("priority", { enum: PRIORITIES }),
    assigneeId: integer("assignee_id").references(() => users.id, { onDelete: "set null" }),
    teamId: integer("team_id").references(() => teams.id, { onDelete: "set null" }),
    /** Cached label list, as Chatwoot's cached_label_list; conversation_labels is the index. */
    labels: text("labels", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    customAttributes: jsonObject("custom_attributes"),
    additionalAttributes: jsonObject("additional_attributes"),
    muted: bool("muted", false),
    snoozedUntil: integer("snoozed_until"),
    waitingSince: integer("waiting_since"),
    firstReplyCreatedAt: integer("first_reply_created_at"),
    lastActivityAt: integer("last_activity_at").notNull(),
    agentLastSeenAt: integer("agent_last_seen_at"),
    assigneeLastSeenAt: integer("assignee_last_seen_at"),
    contactLastSeenAt: integer("contact_last_seen_at"),
    /** The latest message that is not an activity, shown in lists (kept in the message write's batch). */
    lastMessageId: integer("last_message_id"),
    /** Set by the routing statement that assigned this conversation, so the rest of its batch can tell. */
    routingToken: text("routing_token"),
    ...timestamps,
    /** A bot holding the conversation (pending) until it hands off (last: insert-selects list columns in order). */
    assigneeAgentBotId: integer("assignee_agent_bot_id").references(() => agentBots.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("conversations_account_display_uq").on(t.accountId, t.displayId),
    uniqueIndex("conversations_uuid_uq").on(t.uuid),
    index("conversations_account_status_activity_idx").on(t.accountId, t.status, t.lastActivityAt),
    index("conversations_inbox_status_idx").on(t.inboxId, t.status, t.lastActivityAt),
    index("conversations_assignee_status_idx").on(t.assigneeId, t.status),
    index("conversations_team_idx").on(t.teamId),
    index("conversations_contact_idx").on(t.contactId, t.lastActivityAt),
    index("conversations_contact_inbox_idx").on(t.contactInboxId, t.createdAt),
    index("conversations_inbox_assignee_status_idx").on(t.inboxId, t.assigneeId, t.status),
    index("conversations_routing_token_idx").on(t.routingToken),
    // The cron's snooze wake-up reads the due ones.
    index("conversations_status_snoozed_idx").on(t.status, t.snoozedUntil),
  ],
);

export const conversationLabels = sqliteTable(
  "conversation_labels",
  {
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    accountId: integer("account_id").notNull(),
    label: text("label").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.label] }),
    index("conversation_labels_account_label_idx").on(t.accountId, t.label),
  ],
);

/**
 * How many conversations an account has per inbox, status and assignee (0: none), kept by
 * triggers on `conversations` (drizzle/0010_conversation_counts_triggers.sql) in the same
 * transaction as every write that changes them, so the list's four counts read a few rows
 * instead of counting the account's conversations. No foreign keys: a deleted inbox's rows are
 * counted down by the cascade's own triggers.
 */
export const conversationCounts = sqliteTable(
  "conversation_counts",
  {
    accountId: integer("account_id").notNull(),
    inboxId: integer("inbox_id").notNull(),
    status: text("status", { enum: CONVERSATION_STATUSES }).notNull(),
    assigneeId: integer("assignee_id").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.status, t.inboxId, t.assigneeId] })],
);

export type ConversationRow = typeof conversations.$inferSelect;
