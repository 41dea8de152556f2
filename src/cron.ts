import { drizzle } from "drizzle-orm/d1";
import { Outbox } from "./events/outbox";
import { publishCommitted } from "./events/publish";
import { drainAll } from "./services/routing";
import { backfillSearchIndex } from "./services/search-index";
import { pruneExpired } from "./services/sessions";
import { wakeSnoozed } from "./services/snooze";
import type { WebhookEnv } from "./webhooks/policy";
import { sweep } from "./webhooks/sweep";

/**
 * The cron trigger (`[triggers]` in wrangler.toml): the outbox sweeper, then the snoozed
 * conversations whose time has come (woken and routed as a reopen is), then a routing pass over
 * unassigned backlogs, then a share of the search index's backfill (messages written before it
 * existed), then the expired sessions, set-password links and sign-in failure counts.
 */
export async function handleScheduled(env: Env & WebhookEnv) {
  const db = drizzle(env.DB);
  const swept = await sweep(env, db);
  const woken = await wakeSnoozed(env);
  const outbox = new Outbox(db);
  const routed = await drainAll(db, outbox);
  await publishCommitted(env, outbox);
  const indexed = await backfillSearchIndex(db);
  const pruned = await pruneExpired(db);
  if (swept > 0 || woken > 0 || routed > 0 || indexed > 0 || pruned > 0)
    console.log(JSON.stringify({ event: "cron", requeued: swept, woken, routed, indexed, pruned }));
}
