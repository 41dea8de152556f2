import { and, desc, eq, sql } from "drizzle-orm";
import { deliveries, events, inboxes, webhooks } from "../db/schema";
import { prefixed } from "../db/select";
import { notFound } from "../lib/errors";
import { redeliver } from "../events/queue";
import type { DeliveryRow } from "../db/schema";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";

export const DELIVERIES_PER_PAGE = 25;

/** Whose deliveries: an account webhook's, or an API inbox's `webhook_url`'s. */
export type DeliveryTarget = { webhookId: number } | { inboxId: number };
export type DeliveryWithEvent = { delivery: DeliveryRow; event: string };

const ofTarget = (t: DeliveryTarget) =>
  "webhookId" in t ? eq(deliveries.webhookId, t.webhookId) : eq(deliveries.inboxId, t.inboxId);
const targetMissing = (t: DeliveryTarget) => notFound("webhookId" in t ? "Webhook" : "Inbox");

/** The target, if it belongs to the account (batchable). */
function targetRow(db: DB, accountId: number, t: DeliveryTarget) {
  return "webhookId" in t
    ? db
        .select({ id: webhooks.id })
        .from(webhooks)
        .where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, t.webhookId)))
    : db
        .select({ id: inboxes.id })
        .from(inboxes)
        .where(and(eq(inboxes.accountId, accountId), eq(inboxes.id, t.inboxId)));
}

/** One page of a target's deliveries, newest first (batchable; served by the target's (id) index). */
export function deliveryPage(db: DB, accountId: number, target: DeliveryTarget, page: number) {
  return db
    .select({ delivery: prefixed(deliveries, "d"), event: sql<string>`${events.event}`.as("e__event") })
    .from(deliveries)
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(and(eq(deliveries.accountId, accountId), ofTarget(target)))
    .orderBy(desc(deliveries.id))
    .limit(DELIVERIES_PER_PAGE + 1)
    .offset((page - 1) * DELIVERIES_PER_PAGE);
}

/**
 * One page of a target's delivery log, newest first, with each delivery's event name. The
 * target check and the page are one D1 batch; another account's target answers 404.
 */
export async function listDeliveries({ db, accountId }: ServiceContext, target: DeliveryTarget, page: number) {
  const [owner, found] = await db.batch([targetRow(db, accountId, target), deliveryPage(db, accountId, target, page)]);
  if (!owner[0]) throw targetMissing(target);
  return {
    deliveries: found.slice(0, DELIVERIES_PER_PAGE) as DeliveryWithEvent[],
    hasMore: found.length > DELIVERIES_PER_PAGE,
  };
}

/**
 * Sends one of the target's deliveries again now (same `webhook-id`, a fresh attempt). A
 * delivery of another target or account answers 404 and is left alone.
 */
export async function redeliverDelivery(
  { db, accountId }: ServiceContext,
  queue: Queue,
  target: DeliveryTarget,
  deliveryId: number,
): Promise<DeliveryWithEvent> {
  const row = await redeliver(db, queue, accountId, deliveryId, target);
  const [event] = await db.select({ event: events.event }).from(events).where(eq(events.id, row.eventId));
  return { delivery: row, event: event?.event ?? "" };
}
