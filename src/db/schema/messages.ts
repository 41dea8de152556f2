import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, jsonObject, timestamps } from "./columns";
import { accounts } from "./accounts";
import { conversations } from "./conversations";
import { inboxes } from "./inboxes";

export const MESSAGE_TYPES = ["incoming", "outgoing", "activity", "template"] as const;
export const MESSAGE_STATUSES = ["sent", "delivered", "read", "failed"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const messages = sqliteTable(
  "messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    inboxId: integer("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    content: text("content"),
    messageType: text("message_type", { enum: MESSAGE_TYPES }).notNull(),
    contentType: text("content_type").notNull().default("text"),
    contentAttributes: jsonObject("content_attributes"),
    additionalAttributes: jsonObject("additional_attributes"),
    private: bool("private", false),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull().default("sent"),
    echoId: text("echo_id"),
    sourceId: text("source_id"),
    /** "User", "Contact" or "AgentBot" (null for system activity and the inbox's own templates). */
    senderType: text("sender_type", { enum: ["User", "Contact", "AgentBot"] }),
    senderId: integer("sender_id"),
    ...timestamps,
  },
  (t) => [
    index("messages_conversation_idx").on(t.conversationId, t.id),
    index("messages_source_idx").on(t.conversationId, t.sourceId),
    // A client's echo_id names one message per conversation: a repeat is the same message.
    uniqueIndex("messages_conversation_echo_uq").on(t.conversationId, t.echoId),
    // The CSAT report counts the surveys sent; partial, so other messages' writes never touch it.
    index("messages_account_csat_idx").on(t.accountId, t.createdAt).where(sql`${t.contentType} = 'input_csat'`),
  ],
);

export type MessageRow = typeof messages.$inferSelect;
