import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";
import { accounts } from "./accounts";
import { conversations } from "./conversations";
import { users } from "./users";

export const NOTIFICATION_TYPES = [
  "conversation_mention",
  "conversation_assignment",
  "conversation_creation",
  "assigned_conversation_new_message",
  "participating_conversation_new_message",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** One agent's notification (Chatwoot's notifications): about a conversation, often a message in it. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    notificationType: text("notification_type", { enum: NOTIFICATION_TYPES }).notNull(),
    /** The conversation (`primary_actor`); its deletion removes the notification. */
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** The message that caused it (`secondary_actor`), if any. */
    messageId: integer("message_id"),
    /** Who caused it (a user), if anyone. */
    actorId: integer("actor_id"),
    readAt: integer("read_at"),
    snoozedUntil: integer("snoozed_until"),
    ...timestamps,
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.accountId, t.id),
    // Unread counts read only the unread rows.
    index("notifications_user_unread_idx").on(t.userId, t.accountId, t.readAt),
  ],
);

/** An agent @mentioned in a conversation's private note (`conversation_type=mention`). */
export const mentions = sqliteTable(
  "mentions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id").notNull(),
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mentionedAt: integer("mentioned_at").notNull(),
  },
  (t) => [
    uniqueIndex("mentions_conversation_user_uq").on(t.conversationId, t.userId),
    index("mentions_user_idx").on(t.userId, t.accountId),
  ],
);

/** Agents taking part in a conversation (`conversation_type=participating`): assigned, replied or mentioned. */
export const conversationParticipants = sqliteTable(
  "conversation_participants",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id").notNull(),
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("conversation_participants_uq").on(t.conversationId, t.userId),
    index("conversation_participants_user_idx").on(t.userId, t.accountId),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
