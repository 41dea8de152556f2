import { and, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { inList } from "../db/select";
import type { DB } from "../db/client";
import { agentBots, type DeliveryRow, deliveries, type EventRow, events, inboxes, webhooks } from "../db/schema";
import { eventQueries, type Loaded, readEvents } from "../events/load";
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

type Target = { url: string; disabled: boolean; secrets: string[] };

/**
 * One round trip for what a batch needs before it posts: one statement takes every due pending
 * delivery the jobs name that no other consumer holds; the same batch reads back the named
 * deliveries it could not take (to re-enqueue the early ones), their targets, their events
 * with the bodies already stored, and, for the events with none yet, everything those are
 * rendered from (`eventQueries`).
 */
async function claimAndLoad(db: DB, jobs: DeliveryJobs, now: number, timeoutMs: number) {
  const namedEvents = or(
    jobs.eventUids.length ? inList(events.uid, jobs.eventUids) : undefined,
    jobs.deliveryIds.length
      ? sql`${events.id} in (select event_id from deliveries where ${inList(deliveries.id, jobs.deliveryIds)})`
      : undefined,
  )!;
  const named = or(
    jobs.eventUids.length
      ? sql`${deliveries.eventId} in (select id from events where ${inList(events.uid, jobs.eventUids)})`
      : undefined,
    jobs.deliveryIds.length ? inList(deliveries.id, jobs.deliveryIds) : undefined,
  )!;
  const ofNamed = (column: "webhook_id" | "inbox_id" | "agent_bot_id") =>
    sql`(select ${sql.raw(column)} from deliveries where ${named})`;
  const limit = jobs.eventUids.length + jobs.deliveryIds.length;
  const [claimed, left, hookRows, inboxRows, botRows, eventRows, ...subjects] = await db.batch([
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
    db
      .select()
      .from(webhooks)
      .where(sql`${webhooks.id} in ${ofNamed("webhook_id")}`),
    db
      .select()
      .from(inboxes)
      .where(sql`${inboxes.id} in ${ofNamed("inbox_id")}`),
    db
      .select()
      .from(agentBots)
      .where(sql`${agentBots.id} in ${ofNamed("agent_bot_id")}`),
    db.select().from(events).where(namedEvents),
    ...eventQueries(db, and(namedEvents, isNull(events.payload))!, limit),
  ]);
  const hooks = new Map(hookRows.map((h) => [h.id, h]));
  const inboxById = new Map(inboxRows.map((i) => [i.id, i]));
  const botById = new Map(botRows.map((b) => [b.id, b]));
  const targetOf = (d: DeliveryRow): Target | null => {
    const hook = hooks.get(d.webhookId ?? 0);
    if (hook) return { url: hook.url, disabled: hook.disabled, secrets: secretsInForce(hook) };
    const bot = botById.get(d.agentBotId ?? 0);
    if (bot) return bot.outgoingUrl ? { url: bot.outgoingUrl, disabled: false, secrets: secretsInForce(bot) } : null;
    const inbox = inboxById.get(d.inboxId ?? 0);
    return inbox?.webhookUrl
      ? { url: inbox.webhookUrl, disabled: inbox.webhookDisabled, secrets: secretsInForce(inbox) }
      : null;
  };
  return {
    claimed,
    left,
    targetOf,
    events: new Map(eventRows.map((e) => [e.id, e])),
    loaded: readEvents(subjects),
  };
}

/**
 * Each event's body: the one stored, or rendered now from what `claimAndLoad` read (null when
 * its subject is gone). The new ones are stored with the batch's outcomes (`storeBodies`), so
 * every later attempt and every other target gets the same bytes.
 */
function bodiesOf(list: EventRow[], loaded: Loaded, secret: string | undefined) {
  const bodies = new Map<number, string>();
  const rendered: { id: number; payload: string }[] = [];
  for (const e of list) {
    if (e.payload) {
      bodies.set(e.id, e.payload);
      continue;
    }
    const payload = renderBody(e, loaded, secret);
    if (!payload) continue;
    const text = JSON.stringify(payload);
    bodies.set(e.id, text);
    rendered.push({ id: e.id, payload: text });
  }
  return { bodies, rendered };
}

/** Stores rendered bodies; one another consumer stored first is kept. */
const storeBodies = (db: DB, rendered: { id: number; payload: string }[]) =>
  rendered.map((r) =>
    db
      .update(events)
      .set({ payload: r.payload })
      .where(and(eq(events.id, r.id), isNull(events.payload))),
  );

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
 * Works one queue batch as a batch, in two D1 round trips: one claims every delivery its jobs
 * name and reads their events and targets (`claimAndLoad`), the bodies missing are rendered, the
 * posts go out in parallel (at most PER_TARGET_CONCURRENCY at a time to one URL), and one write
 * batch stores the new bodies and records every outcome with the targets' health. Retries, dead
 * letters and final failures follow.
 */
export async function deliverJobs(env: WebhookEnv, db: DB, jobs: DeliveryJobs): Promise<void> {
  if (jobs.eventUids.length === 0 && jobs.deliveryIds.length === 0) return;
  const now = Date.now();
  const { claimed, left, targetOf, events: eventById, loaded } = await claimAndLoad(db, jobs, now, timeoutOf(env));
  await requeueEarly(env, left, now);
  if (claimed.length === 0) return;
  const live = claimed.filter((d) => {
    const target = targetOf(d);
    return eventById.has(d.eventId) && target && !target.disabled;
  });
  const { bodies, rendered } = bodiesOf(
    [...new Set(live.map((d) => eventById.get(d.eventId)!))],
    loaded,
    env.ATTACHMENT_URL_SECRET,
  );
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
  const writes: BatchItem<"sqlite">[] = storeBodies(db, rendered);
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
      ...targetHealth(db, d, ok, done),
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

/**
 * Success clears a target's failing streak; a failure starts one, and five days of it disable the
 * target. An agent bot keeps no health (its deliveries are retried, then given up, as the others).
 */
function targetHealth(db: DB, d: DeliveryRow, ok: boolean, now: number): BatchItem<"sqlite">[] {
  if (d.agentBotId) return [];
  const since = (col: typeof webhooks.failingSince | typeof inboxes.webhookFailingSince) =>
    ok ? null : sql`coalesce(${col}, ${now})`;
  const disable = (col: typeof webhooks.failingSince | typeof inboxes.webhookFailingSince) =>
    ok ? sql`0` : sql`case when ${col} is not null and ${col} <= ${now - DISABLE_AFTER_MS} then 1 else 0 end`;
  if (d.webhookId)
    return [
      db
        .update(webhooks)
        .set({
          failingSince: since(webhooks.failingSince) as unknown as number,
          disabled: sql`${webhooks.disabled} or ${disable(webhooks.failingSince)}` as unknown as boolean,
        })
        .where(eq(webhooks.id, d.webhookId)),
    ];
  return [
    db
      .update(inboxes)
      .set({
        webhookFailingSince: since(inboxes.webhookFailingSince) as unknown as number,
        webhookDisabled:
          sql`${inboxes.webhookDisabled} or ${disable(inboxes.webhookFailingSince)}` as unknown as boolean,
      })
      .where(eq(inboxes.id, d.inboxId ?? 0)),
  ];
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
