import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { jsonObject, timestamps } from "./columns";

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
  ...timestamps,
});

export type AccountRow = typeof accounts.$inferSelect;
