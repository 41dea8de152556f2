import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, jsonObject, timestamps } from "./columns";

export const accounts = sqliteTable("accounts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  locale: text("locale").notNull().default("en"),
  domain: text("domain"),
  supportEmail: text("support_email"),
  status: text("status", { enum: ["active", "suspended"] })
    .notNull()
    .default("active"),
  customAttributes: jsonObject("custom_attributes"),
  /** Last conversation display_id handed out: Chatwoot's per-account sequence. */
  lastDisplayId: integer("last_display_id").notNull().default(0),
  /**
   * Whether the account's realtime hub may hold open sockets: set by the hub before it accepts
   * one, cleared once none is left. A write reads it in its own batch (`Outbox`) and calls the
   * hub only when it is set.
   */
  socketsOpen: bool("sockets_open", false),
  ...timestamps,
});

export type AccountRow = typeof accounts.$inferSelect;
