import { sql } from "drizzle-orm";
import type { DB } from "./client";

/** The tables retention prunes by id (services/retention.ts), which cursors page through. */
export type PrunedTable = "events" | "deliveries";

/** The table's AUTOINCREMENT counter: the highest id ever assigned (null before the first row). */
const counter = (table: PrunedTable) => sql`(select seq from sqlite_sequence where name = ${table})`;

/**
 * The highest id of `table` that retention may have deleted, as an expression: every id at or below
 * it is gone; 0 when none is. Retention deletes only a prefix of ids, so it is the lowest id kept
 * less one; in an empty table whose counter went on, everything up to the counter is gone. Each
 * subquery reads one row.
 */
export const prunedThrough = (table: PrunedTable) =>
  sql`coalesce((select min(id) from ${sql.raw(table)}) - 1, ${counter(table)}, 0)`;

/**
 * Where a table's ids stand, in one row (batchable, so it is read in the same snapshot as a page):
 * `through` (`prunedThrough`) and `head`, the highest id ever assigned.
 */
export const idBounds = (db: DB, table: PrunedTable) =>
  db
    .select({
      through: sql<number>`${prunedThrough(table)}`.mapWith(Number),
      head: sql<number>`coalesce(${counter(table)}, 0)`.mapWith(Number),
    })
    .from(sql`(select 1)`);

export type IdBounds = { through: number; head: number };

/**
 * Whether reading on from the cursor `after` would skip rows retention deleted: the ids right after
 * it are gone. 0 (no cursor) reads from the oldest row kept, and a cursor at `through` or above
 * misses nothing. The rule is the database's, not one account's: a cursor below the oldest id kept
 * is refused even if none of the rows deleted after it were the caller's, since nothing says which
 * were.
 */
export const cursorGone = (after: number, bounds: IdBounds) => after > 0 && after < bounds.through;
