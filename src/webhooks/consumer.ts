import { drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema";
import { hubPublisher } from "../realtime/publish";
import { drainAll } from "../services/routing";
import { backfillSearchIndex } from "../services/search-index";
import { pruneExpired } from "../services/sessions";
import { attemptDelivery, deliverEvent, recordDeadLetter, sweep, type WebhookEnv } from "./deliver";
import { faultRate, Outbox } from "./outbox";

type Job = { eventUid?: string; deliveryId?: number };

/**
 * The webhook queue's consumer: `{eventUid}` jobs make the first attempts of a new event,
 * `{deliveryId}` jobs retry or redeliver one delivery. On the dead-letter queue every job is
 * recorded as a dead delivery. A job that throws is retried by the queue, then dead-lettered.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env & WebhookEnv) {
  const db = drizzle(env.DB, { schema });
  const deadLetters = batch.queue.endsWith("-dlq");
  // Soak/test-only fault switch (`npm run soak`); must stay unset in production. A job throws on
  // its first attempt, before any work, with this probability: the queue's own retry must recover.
  const throwRate = deadLetters ? 0 : faultRate(env.FAULT_CONSUMER_THROW_RATE);
  await Promise.all(
    batch.messages.map(async (msg) => {
      const job = (msg.body ?? {}) as Job;
      try {
        if (throwRate > 0 && msg.attempts === 1 && Math.random() < throwRate)
          throw new Error("injected fault (FAULT_CONSUMER_THROW_RATE)");
        if (deadLetters) await recordDeadLetter(env, db, job);
        else if (job.eventUid) await deliverEvent(env, db, job.eventUid);
        else if (job.deliveryId) await attemptDelivery(env, db, job.deliveryId);
        msg.ack();
      } catch (err) {
        console.error(JSON.stringify({ event: "webhook_job_failed", queue: batch.queue, job, error: String(err) }));
        msg.retry();
      }
    }),
  );
}

/**
 * The cron trigger: the outbox sweeper, then a routing pass over unassigned backlogs, then a
 * share of the search index's backfill (messages written before it existed), then the expired
 * sessions, set-password links and sign-in failure counts.
 */
export async function handleScheduled(env: Env & WebhookEnv) {
  const db = drizzle(env.DB, { schema });
  const swept = await sweep(env, db);
  const outbox = new Outbox(db);
  const routed = await drainAll(db, outbox);
  await outbox.flush(env.WEBHOOK_QUEUE, hubPublisher(env.CABLE));
  const indexed = await backfillSearchIndex(db);
  const pruned = await pruneExpired(db);
  if (swept > 0 || routed > 0 || indexed > 0 || pruned > 0)
    console.log(JSON.stringify({ event: "cron", requeued: swept, routed, indexed, pruned }));
}
