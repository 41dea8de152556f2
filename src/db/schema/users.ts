import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, jsonObject, timestamps } from "./columns";
import { accounts } from "./accounts";

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    displayName: text("display_name"),
    /** Stored lower-cased: e-mail addresses are unique case-insensitively. */
    email: text("email").notNull(),
    passwordHash: text("password_hash"),
    messageSignature: text("message_signature"),
    avatarUrl: text("avatar_url"),
    pubsubToken: text("pubsub_token").notNull(),
    customAttributes: jsonObject("custom_attributes"),
    uiSettings: jsonObject("ui_settings"),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), uniqueIndex("users_pubsub_token_uq").on(t.pubsubToken)],
);

/** One API access token per user, kept only as its SHA-256 hex digest. */
export const accessTokens = sqliteTable(
  "access_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("access_tokens_hash_uq").on(t.tokenHash), uniqueIndex("access_tokens_user_uq").on(t.userId)],
);

export const ROLES = ["agent", "administrator"] as const;
export const AVAILABILITIES = ["online", "busy", "offline"] as const;
export type Role = (typeof ROLES)[number];
export type Availability = (typeof AVAILABILITIES)[number];

export const accountUsers = sqliteTable(
  "account_users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull().default("agent"),
    availability: text("availability", { enum: AVAILABILITIES }).notNull().default("offline"),
    autoOffline: bool("auto_offline", true),
    /** When this agent was last handed a conversation automatically (routing tie-break). */
    lastAssignedAt: integer("last_assigned_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("account_users_account_user_uq").on(t.accountId, t.userId),
    index("account_users_user_idx").on(t.userId),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type MembershipRow = typeof accountUsers.$inferSelect;
