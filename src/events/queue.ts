import { and, eq } from "drizzle-orm";
import { deliveries } from "../db/schema";
import { notFound } from "../lib/errors";
import type { DB } from "../db/client";

/** What the queue carries: only a delivery id; the event and its body live in D1. */
export type DeliveryJob = { deliveryId: number };

/** Cloudflare Queues accept delays up to 12 hours; longer waits are reached by re-enqueueing. */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 60 * 60;

/** Queues take at most 100 messages per `sendBatch`: larger sends go in chunks. */
export async function sendInChunks<T>(queue: Queue, messages: MessageSendRequest<T>[]) {
  for (let i = 0; i < messages.length; i += 100) await queue.sendBatch(messages.slice(i, i + 100));
}

/**
 * Enqueues delivery jobs. A failed send is logged, not thrown: the rows are already in D1,
 * and the sweeper re-enqueues any pending delivery whose job never ran.
 */
export const enqueueDeliveries = (queue: Queue, ids: number[], delaySeconds = 0): Promise<boolean> =>
  enqueueDelayed(
    queue,
    ids.map((id) => ({ id, delaySeconds })),
  );

/** Enqueues delivery jobs, each with its own delay (a retry's jittered wait), in as few sends as the queue allows. */
export async function enqueueDelayed(queue: Queue, jobs: { id: number; delaySeconds: number }[]): Promise<boolean> {
  if (jobs.length === 0) return true;
  const delay = (s: number) => Math.min(Math.max(0, Math.ceil(s)), MAX_QUEUE_DELAY_SECONDS);
  try {
    await sendInChunks(
      queue,
      jobs.map((j) => ({ body: { deliveryId: j.id } satisfies DeliveryJob, delaySeconds: delay(j.delaySeconds) })),
    );
    return true;
  } catch (err) {
    const ids = jobs.map((j) => j.id);
    console.error(JSON.stringify({ event: "webhook_enqueue_failed", deliveries: ids, error: String(err) }));
    return false;
  }
}

/**
 * Sends a delivery again now, with the same `webhook-id`: whatever its state, it becomes
 * pending with a fresh attempt, and its queue job is sent.
 */
export async function redeliver(
  db: DB,
  queue: Queue,
  accountId: number,
  deliveryId: number,
  target: { webhookId?: number; inboxId?: number },
) {
  const [row] = await db
    .update(deliveries)
    .set({ status: "pending", nextAttemptAt: Date.now(), leaseUntil: null, updatedAt: Date.now() })
    .where(
      and(
        eq(deliveries.id, deliveryId),
        eq(deliveries.accountId, accountId),
        target.webhookId !== undefined ? eq(deliveries.webhookId, target.webhookId) : undefined,
        target.inboxId !== undefined ? and(eq(deliveries.inboxId, target.inboxId)) : undefined,
      ),
    )
    .returning();
  if (!row) throw notFound("Delivery");
  await enqueueDeliveries(queue, [row.id]);
  return row;
}
