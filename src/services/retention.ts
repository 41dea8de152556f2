import { lt, type SQL, sql } from "drizzle-orm";
import type { DB } from "../db/client";
import { deliveries, events, idempotencyKeys } from "../db/schema";
import { pruneStatements } from "./sessions";

export type RetentionEnv = Partial<Pick<Env, "EVENT_RETENTION_DAYS" | "DELIVERY_RETENTION_DAYS">>;

const DAY_MS = 24 * 60 * 60_000;
export const DEFAULT_RETENTION_DAYS = 30;
/** Rows one statement deletes at most: a short statement, so D1's single writer is never held long. */
export const PRUNE_CHUNK = 500;
/** Statements one run makes at most (each its own D1 call); what is left waits for the next run. */
export const PRUNE_MAX_STATEMENTS = 40;

/** Retention in days from a variable: a positive number, else the default. */
export function retentionDays(value: string | undefined): number {
  const days = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isFinite(days) && days > 0
    ? days
    : DEFAULT_RETENTION_DAYS;
}

/**
 * Deletes the longest run of `table`'s lowest ids (at most `chunk`) in which no row must stay:
 * the first row that must (`keep`) and everything after it are left. Retention never deletes
 * anything else, so the ids it has deleted are always a prefix, and a cursor can tell whether
 * what came after it is gone (`db/horizon.ts`).
 */
function prefixDelete(db: DB, table: typeof events | typeof deliveries, keep: SQL, chunk: number) {
  const head = sql`(select * from ${table} order by id limit ${chunk})`;
  return db
    .delete(table)
    .where(
      sql`${table.id} in (select h.id from ${head} h where h.id <
        coalesce((select min(h.id) from ${head} h where ${keep}), 9223372036854775807))`,
    )
    .returning({ id: table.id });
}

/**
 * The statements of one pruning pass, each deleting at most `chunk` rows, in the order they run:
 * - deliveries older than DELIVERY_RETENTION_DAYS that are finished; a pending one (still being
 *   retried) is kept until it is delivered, failed, dead or cancelled, and the deliveries after it
 *   with it (the prefix rule);
 * - events older than EVENT_RETENTION_DAYS (their remaining deliveries go with them: a delivery
 *   lives no longer than its event), except that an event with a pending delivery is kept, and
 *   the events after it, until that delivery is finished;
 * - idempotency keys past their `expires_at` (24 hours);
 * - expired sessions, set-password links and spent sign-in failure counts (`sessions.ts`).
 */
export function retentionStatements(env: RetentionEnv, db: DB, now: number, chunk = PRUNE_CHUNK) {
  const eventsBefore = now - retentionDays(env.EVENT_RETENTION_DAYS) * DAY_MS;
  const deliveriesBefore = now - retentionDays(env.DELIVERY_RETENTION_DAYS) * DAY_MS;
  const [sessions, passwordTokens, signInAttempts] = pruneStatements(db, now, chunk);
  return {
    deliveries: prefixDelete(db, deliveries, sql`h.status = 'pending' or h.created_at >= ${deliveriesBefore}`, chunk),
    events: prefixDelete(
      db,
      events,
      sql`h.created_at >= ${eventsBefore}
        or exists (select 1 from deliveries d where d.event_id = h.id and d.status = 'pending')`,
      chunk,
    ),
    idempotencyKeys: db
      .delete(idempotencyKeys)
      .where(
        sql`${idempotencyKeys.id} in (select id from ${idempotencyKeys} where ${lt(idempotencyKeys.expiresAt, now)}
          order by ${idempotencyKeys.expiresAt} limit ${chunk})`,
      )
      .returning({ id: idempotencyKeys.id }),
    sessions,
    passwordTokens,
    signInAttempts,
  };
}

export type PruneResult = {
  deleted: Record<keyof ReturnType<typeof retentionStatements>, number>;
  /** D1 statements the run made. */
  statements: number;
  /** Whether everything due was deleted (false: the run used its statements; the next one goes on). */
  complete: boolean;
};

/**
 * The cron's pruning, for one database: runs each statement of `retentionStatements` again while
 * it deletes a full chunk, one statement per D1 call, at most `maxStatements` in all. What one run
 * leaves, the next run deletes.
 */
export async function pruneRetention(
  env: RetentionEnv,
  db: DB,
  now = Date.now(),
  opts: { chunk?: number; maxStatements?: number } = {},
): Promise<PruneResult> {
  const chunk = opts.chunk ?? PRUNE_CHUNK;
  const budget = opts.maxStatements ?? PRUNE_MAX_STATEMENTS;
  const kinds = Object.keys(retentionStatements(env, db, now, chunk)) as (keyof PruneResult["deleted"])[];
  const deleted = Object.fromEntries(kinds.map((k) => [k, 0])) as PruneResult["deleted"];
  let statements = 0;
  for (const kind of kinds) {
    for (;;) {
      if (statements >= budget) return { deleted, statements, complete: false };
      // Built again each time: a statement is run once.
      const rows = await retentionStatements(env, db, now, chunk)[kind];
      statements++;
      deleted[kind] += rows.length;
      if (rows.length < chunk) break;
    }
  }
  return { deleted, statements, complete: true };
}
