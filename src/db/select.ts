import { eq, getTableColumns, sql, type InferSelectModel, type SQL } from "drizzle-orm";
import { type SQLiteColumn, SQLiteSyncDialect, type SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * A table's columns selected under unique aliases (`<prefix>__<column>`). D1's batch API
 * returns rows as objects, so joined tables that share column names (`id`, `created_at`)
 * would overwrite each other inside `db.batch`; aliased, the same query works batched or not.
 */
export function prefixed<T extends SQLiteTable>(table: T, prefix: string) {
  const columns = getTableColumns(table);
  return Object.fromEntries(
    Object.entries(columns).map(([key, column]) => [
      key,
      sql`${column}`.mapWith(column).as(`${prefix}__${column.name}`),
    ]),
  ) as unknown as { [K in keyof InferSelectModel<T>]: SQL.Aliased<InferSelectModel<T>[K]> };
}

/** `prefixed`, for the named columns only: a wide join must stay under D1's 100 result columns. */
export function prefixedPick<T extends SQLiteTable, K extends keyof InferSelectModel<T> & string>(
  table: T,
  prefix: string,
  keys: readonly K[],
) {
  const all = prefixed(table, prefix);
  return Object.fromEntries(keys.map((k) => [k, all[k]])) as Pick<typeof all, K>;
}

/** A left-joined row comes back with every column null when nothing matched. */
export function orNull<R extends { id: unknown }>(row: R): R | null {
  return row.id === null || row.id === undefined ? null : row;
}

/**
 * `column in (<values>)` with the list bound as one JSON parameter: D1 binds at most 100
 * parameters a query, so a list of ids from a request must not become one parameter each.
 */
export const inList = (column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL =>
  sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;

/** `column not in (<values>)`, bound as one JSON parameter (see `inList`). */
export const notInList = (column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL =>
  sql`${column} not in (select value from json_each(${JSON.stringify(values)}))`;

/**
 * Whether `column` holds `text`, ignoring ASCII case (as LIKE does). Not LIKE: D1 refuses a LIKE
 * pattern over 50 bytes, so a longer search answered 500; instr has no such limit and nothing
 * to escape.
 */
export const containsText = (column: SQLiteColumn, text: string): SQL =>
  sql`instr(lower(${column}), lower(${text})) > 0`;

/**
 * `column = value`, or a condition no row meets when there is no value. An absent value is never
 * looked up as a placeholder: a client can send any placeholder and would match what it stands for.
 */
export const eqIfGiven = <T>(column: SQLiteColumn, value: T | null | undefined): SQL =>
  value === null || value === undefined ? sql`0` : eq(column, value);

/**
 * A fragment without parameters, turned into SQL text once: Drizzle walks a fragment's pieces
 * every time a statement holding it is built, and the routing candidate is used in every
 * contact's message. Throws at load if the fragment has a parameter (it would be lost).
 */
export function precompiled(fragment: SQL): SQL {
  const { sql: text, params } = new SQLiteSyncDialect().sqlToQuery(fragment);
  if (params.length) throw new Error(`precompiled SQL must not take parameters: ${text}`);
  return sql.raw(text);
}
