import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";

/**
 * Which D1 database (shard) holds each account. Read only on the control database (the `DB`
 * binding); every shard carries the table, empty, so one set of migrations serves them all.
 * `account_id` is handed out here, so account ids are unique across shards.
 */
export const accountDirectory = sqliteTable("account_directory", {
  accountId: integer("account_id").primaryKey({ autoIncrement: true }),
  /** A binding name of D1_SHARDS. */
  shard: text("shard").notNull(),
  /** "moving" while `scripts/move-account.mjs` copies the account; writes wait for "active". */
  state: text("state", { enum: ["active", "moving"] })
    .notNull()
    .default("active"),
  ...timestamps,
});
