import { drizzle } from "drizzle-orm/d1";
import { Outbox } from "./events/outbox";
import { publishCommitted } from "./events/publish";
import { attachmentUpkeep } from "./services/attachment-storage";
import { drainAll } from "./services/routing";
import { backfillSearchIndex } from "./services/search-index";
import { pruneRetention } from "./services/retention";
import { wakeSnoozed } from "./services/snooze";
import type { WebhookEnv } from "./webhooks/policy";
import { sweep } from "./webhooks/sweep";

/**
 * The cron trigger (`[triggers]` in wrangler.toml): the outbox sweeper, then the snoozed
 * conversations whose time has come (woken and routed as a reopen is), then a routing pass over
 * unassigned backlogs, then a share of the search index's backfill (messages written before it
 * existed), then retention: old events and deliveries, expired idempotency keys, sessions,
 * set-password links and sign-in failure counts, in bounded chunks (`services/retention.ts`), then
 * attachment storage: expired uploads, queued R2 deletions and a chunk of the D1 → R2 move.
 */
export async function handleScheduled(env: Env & WebhookEnv) {
  const db = drizzle(env.DB);
  const swept = await sweep(env, db);
  const woken = await wakeSnoozed(env);
  const outbox = new Outbox(db);
  const routed = await drainAll(db, outbox);
  await publishCommitted(env, outbox);
  const indexed = await backfillSearchIndex(db);
  const retention = await pruneRetention(env, db);
  const pruned = Object.values(retention.deleted).reduce((a, b) => a + b, 0);
  // Last: R2 being unreachable must not hold up the rest.
  const files = await attachmentUpkeep(env, db);
  const moved = files.expired + files.deleted + files.migrated;
  if (swept > 0 || woken > 0 || routed > 0 || indexed > 0 || pruned > 0 || moved > 0)
    console.log(JSON.stringify({ event: "cron", requeued: swept, woken, routed, indexed, pruned, files }));
}
