import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { deliveries, events, inboxes, webhooks } from "../db/schema";
import { prefixed } from "../db/select";
import { cursorExpired, notFound } from "../lib/errors";
import { cursorGone, type IdBounds, idBounds } from "../db/horizon";
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

/** Which page: a page number (newest first), or the deliveries after a delivery id (oldest first). */
export type DeliveryPageSpec = { page: number } | { after: number };

/**
 * One page of a target's deliveries (batchable; served by the target's (id) index): newest first by
 * page number, or oldest first after a cursor, so a client can follow the log as it grows.
 */
export function deliveryPage(db: DB, accountId: number, target: DeliveryTarget, spec: DeliveryPageSpec | number) {
  const at = typeof spec === "number" ? { page: spec } : spec;
  const query = db
    .select({ delivery: prefixed(deliveries, "d"), event: sql<string>`${events.event}`.as("e__event") })
    .from(deliveries)
    .innerJoin(events, eq(events.id, deliveries.eventId));
  if ("after" in at)
    return query
      .where(and(eq(deliveries.accountId, accountId), ofTarget(target), gt(deliveries.id, at.after)))
      .orderBy(asc(deliveries.id))
      .limit(DELIVERIES_PER_PAGE + 1);
  return query
    .where(and(eq(deliveries.accountId, accountId), ofTarget(target)))
    .orderBy(desc(deliveries.id))
    .limit(DELIVERIES_PER_PAGE + 1)
    .offset((at.page - 1) * DELIVERIES_PER_PAGE);
}

/**
 * One page of a target's delivery log, with each delivery's event name. The target check, the page
 * and where the deliveries' ids stand are one D1 batch; another account's target answers 404. A
 * cursor whose next deliveries retention deleted answers 410 with the oldest delivery id kept.
 * `nextAfter`: the cursor of the next page after a cursor (with nothing more yet, the highest
 * delivery id assigned, so a quiet target's cursor keeps up).
 */
export async function listDeliveries(
  { db, accountId }: ServiceContext,
  target: DeliveryTarget,
  spec: DeliveryPageSpec | number,
) {
  const [owner, found, [bounds]] = await db.batch([
    targetRow(db, accountId, target),
    deliveryPage(db, accountId, target, spec),
    idBounds(db, "deliveries"),
  ]);
  if (!owner[0]) throw targetMissing(target);
  const after = typeof spec === "object" && "after" in spec ? spec.after : undefined;
  if (after !== undefined && cursorGone(after, bounds as IdBounds))
    throw cursorExpired("after", "deliveries", bounds.through + 1);
  const page = found.slice(0, DELIVERIES_PER_PAGE) as DeliveryWithEvent[];
  const hasMore = found.length > DELIVERIES_PER_PAGE;
  const nextAfter =
    after === undefined ? undefined : hasMore ? page[page.length - 1].delivery.id : Math.max(after, bounds.head);
  return { deliveries: page, hasMore, nextAfter };
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
