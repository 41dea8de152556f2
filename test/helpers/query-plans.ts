import { env } from "cloudflare:workers";

export type Query = { toSQL(): { sql: string; params: unknown[] } };

/** `EXPLAIN QUERY PLAN` lines of one statement, as SQLite (D1) would run it. */
export async function plan(q: Query): Promise<string[]> {
  const { sql: text, params } = q.toSQL();
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((r) => r.detail);
}

/**
 * The steps that read a whole table: `SCAN <table>` without an index. Virtual tables, subquery
 * results and SQLite's own `sqlite_sequence` (one row per AUTOINCREMENT table, which the outbox
 * and retention's cursor bounds read) aside.
 */
export const fullScans = (lines: string[]) =>
  lines.filter(
    (l) =>
      /^SCAN /.test(l) &&
      !/USING (COVERING )?INDEX|VIRTUAL TABLE|CONSTANT ROW|^SCAN \(subquery|^SCAN json_each/.test(l) &&
      l !== "SCAN sqlite_sequence",
  );
