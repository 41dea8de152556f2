import { getTableColumns, sql, type InferSelectModel, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * A table's columns selected under unique aliases (`<prefix>__<column>`). D1's batch API
 * returns rows as objects, so joined tables that share column names (`id`, `created_at`)
 * would overwrite each other inside `db.batch`; aliased, the same query works batched or not.
 */
export function prefixed<T extends SQLiteTable>(table: T, prefix: string) {
  const columns = getTableColumns(table);
  return Object.fromEntries(
    Object.entries(columns).map(([key, column]) => [key, sql`${column}`.mapWith(column).as(`${prefix}__${column.name}`)]),
  ) as unknown as { [K in keyof InferSelectModel<T>]: SQL.Aliased<InferSelectModel<T>[K]> };
}

/** A left-joined row comes back with every column null when nothing matched. */
export function orNull<R extends { id: unknown }>(row: R): R | null {
  return row.id === null || row.id === undefined ? null : row;
}
