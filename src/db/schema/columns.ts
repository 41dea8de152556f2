import { sql } from "drizzle-orm";
import { integer, text } from "drizzle-orm/sqlite-core";

export type JsonObject = Record<string, unknown>;

/** Milliseconds since the epoch; the wire shows seconds (or ISO) as Chatwoot does. */
export const timestamps = {
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now())
    .$onUpdateFn(() => Date.now()),
};

export const jsonObject = (name: string) =>
  text(name, { mode: "json" }).$type<JsonObject>().notNull().default(sql`'{}'`);

export const bool = (name: string, fallback: boolean) => integer(name, { mode: "boolean" }).notNull().default(fallback);
