import { drizzle } from "drizzle-orm/d1";
import { faultRate } from "../lib/faults";
import { deliverJobs } from "./attempt";
import { recordDeadLetter } from "./dead-letters";
import type { WebhookEnv } from "./policy";

type Job = { eventUid?: string; deliveryId?: number };

/**
 * The webhook queue's consumer: `{eventUid}` jobs make the first attempts of a new event,
 * `{deliveryId}` jobs retry or redeliver one delivery; the batch's jobs are worked together
 * (`deliverJobs`: two D1 round trips for the whole batch, the posts in parallel). On the
 * dead-letter queue every job is recorded as a dead delivery. If the batch's work throws, its
 * jobs are retried by the queue, then dead-lettered; a delivery already made is not made again
 * (it is no longer pending), one in progress is held by its lease.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env & WebhookEnv) {
  const db = drizzle(env.DB);
  if (batch.queue.endsWith("-dlq")) {
    await Promise.all(
      batch.messages.map(async (msg) => {
        try {
          await recordDeadLetter(env, db, (msg.body ?? {}) as Job);
          msg.ack();
        } catch (err) {
          failed(batch.queue, msg, err);
        }
      }),
    );
    return;
  }
  // Soak/test-only fault switch (`npm run soak`); must stay unset in production. A job throws on
  // its first attempt, before any work, with this probability: the queue's own retry must recover.
  const throwRate = faultRate(env.FAULT_CONSUMER_THROW_RATE);
  const work: Message<unknown>[] = [];
  for (const msg of batch.messages) {
    if (throwRate > 0 && msg.attempts === 1 && Math.random() < throwRate)
      failed(batch.queue, msg, new Error("injected fault (FAULT_CONSUMER_THROW_RATE)"));
    else work.push(msg);
  }
  const jobs = work.map((msg) => (msg.body ?? {}) as Job);
  try {
    await deliverJobs(env, db, {
      eventUids: jobs.flatMap((j) => (j.eventUid ? [j.eventUid] : [])),
      deliveryIds: jobs.flatMap((j) => (j.deliveryId ? [j.deliveryId] : [])),
    });
    for (const msg of work) msg.ack();
  } catch (err) {
    for (const msg of work) failed(batch.queue, msg, err);
  }
}

function failed(queue: string, msg: Message<unknown>, err: unknown) {
  console.error(JSON.stringify({ event: "webhook_job_failed", queue, job: msg.body, error: String(err) }));
  msg.retry();
}
