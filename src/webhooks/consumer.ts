import { drizzle } from "drizzle-orm/d1";
import { faultRate } from "../lib/faults";
import { attemptDelivery, deliverEvent } from "./attempt";
import { recordDeadLetter } from "./dead-letters";
import type { WebhookEnv } from "./policy";

type Job = { eventUid?: string; deliveryId?: number };

/**
 * The webhook queue's consumer: `{eventUid}` jobs make the first attempts of a new event,
 * `{deliveryId}` jobs retry or redeliver one delivery. On the dead-letter queue every job is
 * recorded as a dead delivery. A job that throws is retried by the queue, then dead-lettered.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env & WebhookEnv) {
  const db = drizzle(env.DB);
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
