import { drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema";
import { attemptDelivery, deliverEvent, recordDeadLetter, sweep, type WebhookEnv } from "./deliver";

type Job = { eventUid?: string; deliveryId?: number };

/**
 * The webhook queue's consumer: `{eventUid}` jobs make the first attempts of a new event,
 * `{deliveryId}` jobs retry or redeliver one delivery. On the dead-letter queue every job is
 * recorded as a dead delivery. A job that throws is retried by the queue, then dead-lettered.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env & WebhookEnv) {
  const db = drizzle(env.DB, { schema });
  const deadLetters = batch.queue.endsWith("-dlq");
  await Promise.all(
    batch.messages.map(async (msg) => {
      const job = (msg.body ?? {}) as Job;
      try {
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

/** The cron trigger: the outbox sweeper. */
export async function handleScheduled(env: Env & WebhookEnv) {
  const swept = await sweep(env, drizzle(env.DB, { schema }));
  if (swept > 0) console.log(JSON.stringify({ event: "webhook_sweep", requeued: swept }));
}
