import { and, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { inList } from "../db/select";
import type { DB } from "../db/client";
import { type DeliveryRow, deliveries, type EventRow, events, inboxes, webhooks } from "../db/schema";
import { loadEvents } from "../events/load";
import { enqueueDelayed } from "../events/queue";
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

/** What one queue batch asks for: first attempts of new events, and retries or redeliveries of single deliveries. */
export type DeliveryJobs = { eventUids: string[]; deliveryIds: number[] };

/** At most this many posts at once to one URL, so one batch never floods a receiver. */
const PER_TARGET_CONCURRENCY = 4;

/**
 * Takes, in one statement, every due pending delivery the jobs name that no other consumer holds,
 * and reads back the named deliveries it could not take (to re-enqueue the early ones).
 */
async function claim(db: DB, jobs: DeliveryJobs, now: number, timeoutMs: number) {
  const named = or(
    jobs.eventUids.length
      ? sql`${deliveries.eventId} in (select id from events where ${inList(events.uid, jobs.eventUids)})`
      : undefined,
    jobs.deliveryIds.length ? inList(deliveries.id, jobs.deliveryIds) : undefined,
  );
  const [claimed, left] = await db.batch([
    db
      .update(deliveries)
      .set({ leaseUntil: now + 15_000 + timeoutMs * 3, updatedAt: now })
      .where(
        and(
          named,
          eq(deliveries.status, "pending"),
          or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
          lte(sql`coalesce(${deliveries.nextAttemptAt}, 0)`, now + 2_000),
        ),
      )
      .returning(),
    db
      .select({ id: deliveries.id, nextAttemptAt: deliveries.nextAttemptAt, leaseUntil: deliveries.leaseUntil })
      .from(deliveries)
      .where(and(inList(deliveries.id, jobs.deliveryIds), eq(deliveries.status, "pending"))),
  ]);
  return { claimed, left };
}

type Target = { url: string; disabled: boolean; secrets: string[] };

/** The claimed deliveries' events and targets, in one round trip. */
async function loadTargets(db: DB, claimed: DeliveryRow[]) {
  const ids = (pick: (d: DeliveryRow) => number | null) => [...new Set(claimed.map(pick).filter((v) => v !== null))];
  const [eventRows, hookRows, inboxRows] = await db.batch([
    db
      .select()
      .from(events)
      .where(
        inList(
          events.id,
          ids((d) => d.eventId),
        ),
      ),
    db
      .select()
      .from(webhooks)
      .where(
        inList(
          webhooks.id,
          ids((d) => d.webhookId),
        ),
      ),
    db
      .select()
      .from(inboxes)
      .where(
        inList(
          inboxes.id,
          ids((d) => d.inboxId),
        ),
      ),
  ]);
  const hooks = new Map(hookRows.map((h) => [h.id, h]));
  const inboxById = new Map(inboxRows.map((i) => [i.id, i]));
  const targetOf = (d: DeliveryRow): Target | null => {
    const hook = hooks.get(d.webhookId ?? 0);
    if (hook) return { url: hook.url, disabled: hook.disabled, secrets: secretsInForce(hook) };
    const inbox = inboxById.get(d.inboxId ?? 0);
    return inbox?.webhookUrl
      ? { url: inbox.webhookUrl, disabled: inbox.webhookDisabled, secrets: secretsInForce(inbox) }
      : null;
  };
  return { events: new Map(eventRows.map((e) => [e.id, e])), targetOf };
}

/**
 * Each event's body, rendered once and stored, so every attempt and every target gets the same
 * bytes: the missing ones are rendered per account in one read each and stored in one batch.
 */
async function bodiesOf(db: DB, list: EventRow[]): Promise<Map<number, string>> {
  const bodies = new Map<number, string>();
  const missing = list.filter((e) => {
    if (e.payload) bodies.set(e.id, e.payload);
    return !e.payload;
  });
  if (missing.length === 0) return bodies;
  const rendered: { id: number; payload: string }[] = [];
  for (const accountId of new Set(missing.map((e) => e.accountId))) {
    const mine = missing.filter((e) => e.accountId === accountId);
    const ids = mine.map((e) => e.id);
    const loaded = await loadEvents(db, inList(events.id, ids), { limit: ids.length, accountId });
    for (const e of mine) {
      const payload = renderBody(e, loaded);
      if (payload) rendered.push({ id: e.id, payload: JSON.stringify(payload) });
    }
  }
  if (rendered.length === 0) return bodies;
  // Another consumer may have stored a body first: every target gets the one stored.
  const ids = rendered.map((r) => r.id);
  const statements: BatchItem<"sqlite">[] = rendered.map((r) =>
    db
      .update(events)
      .set({ payload: r.payload })
      .where(and(eq(events.id, r.id), isNull(events.payload))),
  );
  statements.push(db.select({ id: events.id, payload: events.payload }).from(events).where(inList(events.id, ids)));
  const results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  for (const r of results.at(-1) as { id: number; payload: string | null }[])
    if (r.payload) bodies.set(r.id, r.payload);
  return bodies;
}

/** Runs `work` over `items`, at most `cap` at a time for the same key. */
async function capped<T, R>(items: T[], key: (item: T) => string, cap: number, work: (item: T) => Promise<R>) {
  const lanes = new Map<string, T[]>();
  for (const item of items) lanes.set(key(item), [...(lanes.get(key(item)) ?? []), item]);
  const results = new Map<T, R>();
  await Promise.all(
    [...lanes.values()].flatMap((lane) =>
      Array.from({ length: Math.min(cap, lane.length) }, async () => {
        for (let item = lane.shift(); item !== undefined; item = lane.shift()) results.set(item, await work(item));
      }),
    ),
  );
  return results;
}

/**
 * Works one queue batch as a batch: one statement claims every delivery its jobs name, one read
 * loads their events and targets, the bodies missing are rendered and stored together, the posts
 * go out in parallel (at most PER_TARGET_CONCURRENCY at a time to one URL), and one write batch
 * records every outcome with the targets' health. Retries, dead letters and final failures follow.
 */
export async function deliverJobs(env: WebhookEnv, db: DB, jobs: DeliveryJobs): Promise<void> {
  if (jobs.eventUids.length === 0 && jobs.deliveryIds.length === 0) return;
  const now = Date.now();
  const { claimed, left } = await claim(db, jobs, now, timeoutOf(env));
  await requeueEarly(env, left, now);
  if (claimed.length === 0) return;
  const { events: eventById, targetOf } = await loadTargets(db, claimed);
  const live = claimed.filter((d) => {
    const target = targetOf(d);
    return eventById.has(d.eventId) && target && !target.disabled;
  });
  const bodies = await bodiesOf(db, [...new Set(live.map((d) => eventById.get(d.eventId)!))]);
  const sendable = live.filter((d) => bodies.has(d.eventId));

  const results = await capped(
    sendable,
    (d) => targetOf(d)!.url,
    PER_TARGET_CONCURRENCY,
    async (d) => {
      const target = targetOf(d)!;
      const body = bodies.get(d.eventId)!;
      const headers = await signedHeaders(target.secrets, d.uid, Math.floor(Date.now() / 1000), body);
      return post(target.url, headers, body, timeoutOf(env));
    },
  );

  const done = Date.now();
  const writes: BatchItem<"sqlite">[] = [];
  const retries: { id: number; delaySeconds: number }[] = [];
  const exhausted: number[] = [];
  const final: DeliveryRow[] = [];
  for (const d of claimed) {
    const result = results.get(d);
    if (!result) {
      const target = targetOf(d);
      const why = !target || target.disabled ? "target removed or disabled" : "the event's subject no longer exists";
      writes.push(
        db
          .update(deliveries)
          .set({ status: "cancelled", lastError: why, leaseUntil: null, updatedAt: now })
          .where(eq(deliveries.id, d.id)),
      );
      continue;
    }
    const attempts = d.attempts + 1;
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const retryable = !ok && isRetryable(result.status);
    const delay = retryable ? nextDelay(scheduleOf(env), attempts, result.retryAfter) : null;
    writes.push(
      db
        .update(deliveries)
        .set({
          attempts,
          lastStatusCode: result.status,
          lastLatencyMs: result.latencyMs,
          lastResponse: result.snippet,
          lastError: result.error ?? (ok ? null : `HTTP ${result.status}`),
          leaseUntil: null,
          updatedAt: done,
          status: ok ? "delivered" : delay !== null ? "pending" : "failed",
          deliveredAt: ok ? done : null,
          nextAttemptAt: delay !== null ? done + delay * 1000 : null,
        })
        .where(eq(deliveries.id, d.id)),
      targetHealth(db, d, ok, done),
    );
    if (ok) continue;
    if (delay !== null) retries.push({ id: d.id, delaySeconds: delay });
    // Every attempt used: the dead-letter consumer records it (see recordDeadLetter).
    else if (retryable) exhausted.push(d.id);
    else final.push(d);
  }
  await db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await enqueueDelayed(env.WEBHOOK_QUEUE, retries);
  for (const id of exhausted) {
    try {
      await env.WEBHOOK_DLQ.send({ deliveryId: id, reason: "exhausted" });
    } catch {
      await recordDeadLetter(env, db, { deliveryId: id });
    }
  }
  for (const d of final) await onFinalFailure(env, db, d.id, eventById.get(d.eventId)!);
}

/** Makes one attempt at a delivery and records it; schedules the next or gives up. */
export const attemptDelivery = (env: WebhookEnv, db: DB, deliveryId: number) =>
  deliverJobs(env, db, { eventUids: [], deliveryIds: [deliveryId] });

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
async function requeueEarly(
  env: WebhookEnv,
  left: { id: number; nextAttemptAt: number | null; leaseUntil: number | null }[],
  now: number,
) {
  const early = left.filter(
    (r) => r.nextAttemptAt && r.nextAttemptAt > now + 2_000 && !(r.leaseUntil && r.leaseUntil > now),
  );
  await enqueueDelayed(
    env.WEBHOOK_QUEUE,
    early.map((r) => ({ id: r.id, delaySeconds: (r.nextAttemptAt! - now) / 1000 })),
  );
}
