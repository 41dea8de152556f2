import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { jsonObject, timestamps } from "./columns";
import { accounts } from "./accounts";

/**
 * An agent bot: it owns an inbox's new conversations (pending, unrouted) until it hands them off.
 * `account_id` null: a bot the operator made through the Platform API, usable by every account.
 * It calls the Application API with its own token (kept only as its SHA-256 hex digest) and
 * receives the inbox's events at `outgoing_url`, signed with `secret`.
 */
export const agentBots = sqliteTable(
  "agent_bots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id").references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    outgoingUrl: text("outgoing_url"),
    avatarUrl: text("avatar_url"),
    botType: text("bot_type").notNull().default("webhook"),
    botConfig: jsonObject("bot_config"),
    tokenHash: text("token_hash").notNull(),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("agent_bots_token_hash_uq").on(t.tokenHash), index("agent_bots_account_idx").on(t.accountId)],
);

export type AgentBotRow = typeof agentBots.$inferSelect;
