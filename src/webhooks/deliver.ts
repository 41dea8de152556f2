import type { DeliveryRow, EventRow } from "../db/schema";
import { and, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { deliveries, events, inboxes, messages, webhooks } from "../db/schema";
import { eqIfGiven } from "../db/select";
import { hubPublisher } from "../realtime/publish";
import { Outbox } from "./outbox";
import { renderPayload } from "./payloads";
import { enqueueDeliveries } from "./queue";
import { secretsInForce, signedHeaders } from "./signing";
import type { DB } from "../db/client";

export type WebhookEnv = Pick<Env, "WEBHOOK_QUEUE" | "WEBHOOK_DLQ" | "CABLE"> & {
  WEBHOOK_RETRY_SCHEDULE?: string;
  WEBHOOK_TIMEOUT_MS?: string;
};

/** Seconds before each attempt: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 27 h in all). */
export const DEFAULT_SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];
export const DEFAULT_TIMEOUT_MS = 10_000;
/** A target failing without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 60 * 60 * 1000;
/** A job that finds a due delivery unclaimed for this long re-sends it (see `sweep`). */
export const SWEEP_GRACE_MS = 60_000;
const RESPONSE_SNIPPET = 512;

export const scheduleOf = (env: WebhookEnv) =>
  env.WEBHOOK_RETRY_SCHEDULE ? env.WEBHOOK_RETRY_SCHEDULE.split(",").map(Number) : DEFAULT_SCHEDULE;
const timeoutOf = (env: WebhookEnv) => Number(env.WEBHOOK_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);

/** Seconds to wait after `attemptsDone` attempts, ±20 % jitter, at least `Retry-After`; null when exhausted. */
export function nextDelay(schedule: number[], attemptsDone: number, retryAfter?: number): number | null {
  if (attemptsDone >= schedule.length) return null;
  const base = schedule[attemptsDone];
  const jittered = base * (0.8 + Math.random() * 0.4);
  return Math.max(jittered, retryAfter ?? 0);
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date), capped at a day. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 86_400) : undefined;
}

/** Timeouts, network errors, 408, 429 and 5xx are worth retrying; other 4xx (and 3xx) are final. */
export const isRetryable = (status: number | null) =>
  status === null || status === 408 || status === 429 || status >= 500;

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
  const payload = await renderPayload(db, e);
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

/**
 * Records a dead letter: a delivery whose attempts are used up, or a job that failed
 * repeatedly. The delivery becomes `dead`, with what follows from a final failure.
 */
export async function recordDeadLetter(env: WebhookEnv, db: DB, job: { deliveryId?: number; eventUid?: string }) {
  const now = Date.now();
  const where = job.deliveryId
    ? eq(deliveries.id, job.deliveryId)
    : and(
        sql`${deliveries.eventId} = (select id from events where ${eqIfGiven(events.uid, job.eventUid)})`,
        eq(deliveries.status, "pending"),
      );
  const dead = await db
    .update(deliveries)
    .set({
      status: "dead",
      nextAttemptAt: null,
      leaseUntil: null,
      lastError: sql`coalesce(${deliveries.lastError}, 'dead-lettered: the delivery job failed repeatedly')`,
      updatedAt: now,
    })
    .where(and(where, inArray(deliveries.status, ["pending", "failed"])))
    .returning();
  for (const d of dead) {
    const [event] = await db.select().from(events).where(eq(events.id, d.eventId));
    if (event) await onFinalFailure(env, db, d.id, event);
  }
}

/**
 * When an agent's reply can no longer reach the API inbox's webhook_url, the message becomes
 * `failed` (with `content_attributes.external_error`) and the other targets hear of it.
 */
async function onFinalFailure(env: WebhookEnv, db: DB, deliveryId: number, event: EventRow) {
  if (event.event !== "message_created" || !event.messageId) return;
  const [d] = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
  if (!d?.inboxId) return;
  const [m] = await db.select().from(messages).where(eq(messages.id, event.messageId));
  if (!m || (m.messageType !== "outgoing" && m.messageType !== "template")) return;
  const outbox = new Outbox(db, typeof event.data.origin === "string" ? event.data.origin : "");
  const error = `Webhook delivery failed: ${d.lastError ?? "unknown error"}`;
  await db.batch([
    db
      .update(messages)
      .set({
        status: "failed",
        contentAttributes: { ...m.contentAttributes, external_error: error },
        updatedAt: Date.now(),
      })
      .where(eq(messages.id, m.id)),
    ...outbox.record({
      event: "message_updated",
      accountId: m.accountId,
      inboxId: m.inboxId,
      conversationId: m.conversationId,
      messageId: m.id,
      private: m.private,
      only: "account",
    }),
  ]);
  await outbox.flush(env.WEBHOOK_QUEUE, hubPublisher(env.CABLE));
}

/** Pending deliveries due for longer than the grace period and held by no consumer (500 at most). */
export const overdueDeliveries = (db: DB, now: number) =>
  db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.status, "pending"),
        lte(deliveries.nextAttemptAt, now - SWEEP_GRACE_MS),
        or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
      ),
    )
    .limit(500);

/**
 * The cron sweeper: pending deliveries that were due a while ago and that no consumer holds
 * lost their queue job (a failed send, a restarted local queue); enqueue them again.
 */
export async function sweep(env: WebhookEnv, db: DB, now = Date.now()) {
  const overdue = overdueDeliveries(db, now);
  // Due now again: if this job is lost too, the next sweep finds it after the grace period.
  // One statement with a subquery, not a list of ids: D1 binds at most 100 parameters a query.
  const swept = await db
    .update(deliveries)
    .set({ nextAttemptAt: now })
    .where(inArray(deliveries.id, overdue))
    .returning({ id: deliveries.id });
  const ids = swept.map((r) => r.id);
  if (ids.length === 0) return 0;
  await enqueueDeliveries(env.WEBHOOK_QUEUE, ids);
  return ids.length;
}
