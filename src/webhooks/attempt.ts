import { and, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { DB } from "../db/client";
import { type DeliveryRow, deliveries, type EventRow, events, inboxes, webhooks } from "../db/schema";
import { loadEvents } from "../events/load";
import { enqueueDeliveries } from "../events/queue";
import { renderBody } from "../events/render";
import { onFinalFailure, recordDeadLetter } from "./dead-letters";
import {
  DISABLE_AFTER_MS,
  isRetryable,
  nextDelay,
  parseRetryAfter,
  scheduleOf,
  timeoutOf,
  type WebhookEnv,
} from "./policy";
import { secretsInForce, signedHeaders } from "./signing";

const RESPONSE_SNIPPET = 512;

type Attempt = {
  status: number | null;
  latencyMs: number;
  snippet: string | null;
  error: string | null;
  retryAfter?: number;
};

async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Attempt> {
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal });
    const text = await Promise.race([
      res.text(),
      new Promise<string>((resolve) => signal.addEventListener("abort", () => resolve(""), { once: true })),
    ]);
    return {
      status: res.status,
      latencyMs: Date.now() - started,
      snippet: text.slice(0, RESPONSE_SNIPPET),
      error: null,
      retryAfter:
        res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after")) : undefined,
    };
  } catch (err) {
    const timedOut = signal.aborted;
    return {
      status: null,
      latencyMs: Date.now() - started,
      snippet: null,
      error: timedOut ? `timed out after ${timeoutMs} ms` : String(err),
    };
  }
}

/** Takes a due, pending delivery for this consumer; null when it is done, held elsewhere or not due. */
async function claim(db: DB, id: number, now: number, timeoutMs: number): Promise<DeliveryRow | null> {
  const [row] = await db
    .update(deliveries)
    .set({ leaseUntil: now + 15_000 + timeoutMs * 3, updatedAt: now })
    .where(
      and(
        eq(deliveries.id, id),
        eq(deliveries.status, "pending"),
        or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
        lte(sql`coalesce(${deliveries.nextAttemptAt}, 0)`, now + 2_000),
      ),
    )
    .returning();
  return row ?? null;
}

/** The event's body, rendered once and stored, so every attempt and every target gets the same bytes. */
async function bodyOf(db: DB, e: EventRow): Promise<string | null> {
  if (e.payload) return e.payload;
  const loaded = await loadEvents(db, eq(events.id, e.id), { limit: 1, accountId: e.accountId });
  const payload = renderBody(e, loaded);
  if (!payload) return null;
  const [, [stored]] = await db.batch([
    db
      .update(events)
      .set({ payload: JSON.stringify(payload) })
      .where(and(eq(events.id, e.id), isNull(events.payload))),
    db.select({ payload: events.payload }).from(events).where(eq(events.id, e.id)),
  ]);
  return stored.payload;
}

/** Makes one attempt at a delivery and records it; schedules the next or gives up. */
export async function attemptDelivery(env: WebhookEnv, db: DB, deliveryId: number): Promise<void> {
  const now = Date.now();
  const d = await claim(db, deliveryId, now, timeoutOf(env));
  if (!d) return requeueIfEarly(env, db, deliveryId, now);
  const [eventRows, hookRows, inboxRows] = await db.batch([
    db.select().from(events).where(eq(events.id, d.eventId)),
    db
      .select()
      .from(webhooks)
      .where(eq(webhooks.id, d.webhookId ?? 0)),
    db
      .select()
      .from(inboxes)
      .where(eq(inboxes.id, d.inboxId ?? 0)),
  ]);
  const event = eventRows[0];
  const hook = hookRows[0];
  const inbox = inboxRows[0];
  const target = hook
    ? { url: hook.url, disabled: hook.disabled, secrets: secretsInForce(hook) }
    : inbox?.webhookUrl
      ? { url: inbox.webhookUrl, disabled: inbox.webhookDisabled, secrets: secretsInForce(inbox) }
      : null;
  const body = event && target && !target.disabled ? await bodyOf(db, event) : null;
  if (!event || !target || target.disabled || body === null) {
    const why = !target || target.disabled ? "target removed or disabled" : "the event's subject no longer exists";
    await db
      .update(deliveries)
      .set({ status: "cancelled", lastError: why, leaseUntil: null, updatedAt: now })
      .where(eq(deliveries.id, d.id));
    return;
  }

  const headers = await signedHeaders(target.secrets, d.uid, Math.floor(Date.now() / 1000), body);
  const result = await post(target.url, headers, body, timeoutOf(env));
  const attempts = d.attempts + 1;
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const retryable = !ok && isRetryable(result.status);
  const delay = retryable ? nextDelay(scheduleOf(env), attempts, result.retryAfter) : null;
  const done = Date.now();
  const record = {
    attempts,
    lastStatusCode: result.status,
    lastLatencyMs: result.latencyMs,
    lastResponse: result.snippet,
    lastError: result.error ?? (ok ? null : `HTTP ${result.status}`),
    leaseUntil: null,
    updatedAt: done,
  };
  const status = ok ? "delivered" : delay !== null ? "pending" : "failed";
  await db.batch([
    db
      .update(deliveries)
      .set({
        ...record,
        status,
        deliveredAt: ok ? done : null,
        nextAttemptAt: delay !== null ? done + delay * 1000 : null,
      })
      .where(eq(deliveries.id, d.id)),
    targetHealth(db, d, ok, done),
  ]);
  if (ok) return;
  if (delay !== null) {
    await enqueueDeliveries(env.WEBHOOK_QUEUE, [d.id], delay);
  } else if (retryable) {
    // Every attempt used: the dead-letter consumer records it (see recordDeadLetter).
    try {
      await env.WEBHOOK_DLQ.send({ deliveryId: d.id, reason: "exhausted" });
    } catch {
      await recordDeadLetter(env, db, { deliveryId: d.id });
    }
  } else {
    await onFinalFailure(env, db, d.id, event);
  }
}

/** Success clears a target's failing streak; a failure starts one, and five days of it disable the target. */
function targetHealth(db: DB, d: DeliveryRow, ok: boolean, now: number) {
  const since = (col: typeof webhooks.failingSince | typeof inboxes.webhookFailingSince) =>
    ok ? null : sql`coalesce(${col}, ${now})`;
  const disable = (col: typeof webhooks.failingSince | typeof inboxes.webhookFailingSince) =>
    ok ? sql`0` : sql`case when ${col} is not null and ${col} <= ${now - DISABLE_AFTER_MS} then 1 else 0 end`;
  if (d.webhookId)
    return db
      .update(webhooks)
      .set({
        failingSince: since(webhooks.failingSince) as unknown as number,
        disabled: sql`${webhooks.disabled} or ${disable(webhooks.failingSince)}` as unknown as boolean,
      })
      .where(eq(webhooks.id, d.webhookId));
  return db
    .update(inboxes)
    .set({
      webhookFailingSince: since(inboxes.webhookFailingSince) as unknown as number,
      webhookDisabled: sql`${inboxes.webhookDisabled} or ${disable(inboxes.webhookFailingSince)}` as unknown as boolean,
    })
    .where(eq(inboxes.id, d.inboxId ?? 0));
}

/** A job can arrive before its delivery is due (delays past the queue's 12 h limit): send it again for the rest. */
async function requeueIfEarly(env: WebhookEnv, db: DB, id: number, now: number) {
  const [row] = await db
    .select({ nextAttemptAt: deliveries.nextAttemptAt, leaseUntil: deliveries.leaseUntil })
    .from(deliveries)
    .where(and(eq(deliveries.id, id), eq(deliveries.status, "pending")));
  if (row?.nextAttemptAt && row.nextAttemptAt > now + 2_000 && !(row.leaseUntil && row.leaseUntil > now)) {
    await enqueueDeliveries(env.WEBHOOK_QUEUE, [id], (row.nextAttemptAt - now) / 1000);
  }
}

/** First attempts for every pending delivery of a newly recorded event. */
export async function deliverEvent(env: WebhookEnv, db: DB, eventUid: string) {
  const rows = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.eventId, sql`(select id from events where uid = ${eventUid})`),
        eq(deliveries.status, "pending"),
      ),
    );
  await Promise.all(rows.map((r) => attemptDelivery(env, db, r.id)));
}
