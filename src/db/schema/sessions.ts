import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./users";

/**
 * A signed-in browser or app (`POST /auth/sign_in`). Two credentials, both kept only as SHA-256
 * digests: the console's HttpOnly cookie, and the `access_token` the sign-in answer carries for
 * Chatwoot's own clients. Both end with the session: at `expires_at`, on sign-out, or when the
 * password changes (every other session of the user is deleted).
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    apiTokenHash: text("api_token_hash").notNull(),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("sessions_token_uq").on(t.tokenHash),
    uniqueIndex("sessions_api_token_uq").on(t.apiTokenHash),
    index("sessions_user_idx").on(t.userId),
    // The cron's pruning.
    index("sessions_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Failed sign-ins per key (`email:<address>` or `ip:<address>`) in the current window: enough
 * failures block the key for a while that doubles with each further failure, up to a ceiling,
 * so guessing is slowed and then refused without locking the real user out for good.
 */
export const signInAttempts = sqliteTable(
  "sign_in_attempts",
  {
    key: text("key").primaryKey(),
    failures: integer("failures").notNull(),
    windowStartedAt: integer("window_started_at").notNull(),
    blockedUntil: integer("blocked_until"),
  },
  (t) => [index("sign_in_attempts_window_idx").on(t.windowStartedAt)],
);

/** A one-time link to set a password (an agent an administrator added), kept as its digest. */
export const passwordTokens = sqliteTable(
  "password_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("password_tokens_user_idx").on(t.userId), index("password_tokens_expires_idx").on(t.expiresAt)],
);
