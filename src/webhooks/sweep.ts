import { and, eq, inArray, isNull, lt, lte, or } from "drizzle-orm";
import type { DB } from "../db/client";
import { deliveries } from "../db/schema";
import { enqueueDeliveries } from "../events/queue";
import { SWEEP_GRACE_MS, type WebhookEnv } from "./policy";

const PAGE = 500;

/** Pending deliveries due for longer than the grace period and held by no consumer (a page: 500 at most). */
export const overdueDeliveries = (db: DB, now: number) =>
  db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.status, "pending"),
        lte(deliveries.nextAttemptAt, now - SWEEP_GRACE_MS),
        or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
      ),
    )
    .limit(PAGE);

/** Pages a sweep takes at most: a lost backlog of thousands is enqueued again within one tick. */
const MAX_PAGES = 20;

/**
 * The cron sweeper: pending deliveries that were due a while ago and that no consumer holds
 * lost their queue job (a failed send, a restarted local queue); enqueue them again, a page at a
 * time until a page comes back short (up to MAX_PAGES pages a tick).
 */
export async function sweep(env: WebhookEnv, db: DB, now = Date.now()) {
  let total = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const swept = await sweepPage(env, db, now);
    total += swept;
    if (swept < PAGE) break;
  }
  return total;
}

async function sweepPage(env: WebhookEnv, db: DB, now: number) {
  const overdue = overdueDeliveries(db, now);
  // Due now again: if this job is lost too, the next sweep finds it after the grace period.
  // One statement with a subquery, not a list of ids: D1 binds at most 100 parameters a query.
  const swept = await db
    .update(deliveries)
    .set({ nextAttemptAt: now })
    .where(inArray(deliveries.id, overdue))
    .returning({ id: deliveries.id });
  const ids = swept.map((r) => r.id);
  if (ids.length === 0) return 0;
  await enqueueDeliveries(env.WEBHOOK_QUEUE, ids);
  return ids.length;
}
