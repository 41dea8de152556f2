import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { deliveries, events, webhooks } from "../src/db/schema";
import type { EventName } from "../src/events/registry";
import { deliveryPage } from "../src/services/deliveries";
import { newSigningSecret } from "../src/services/inboxes";
import { api } from "./helpers/api";
import { as, createWorld, expectError, testDb, unique, type World } from "./helpers/factories";

type DeliveryFields = Partial<typeof deliveries.$inferInsert>;
type Target = { webhookId: number } | { inboxId: number };

const deliveryRow = (id: number) =>
  env.DB.prepare("select * from deliveries where id = ?").bind(id).first<Record<string, unknown>>();

/** A webhook row written directly, so it may point at a private address (the API would refuse it). */
async function seedWebhook(w: World, fields: Partial<typeof webhooks.$inferInsert> = {}) {
  const [row] = await testDb()
    .insert(webhooks)
    .values({
      accountId: w.account.id,
      url: `http://127.0.0.1:9/${unique("hook")}`,
      subscriptions: ["message_created"],
      secret: newSigningSecret(),
      ...fields,
    })
    .returning();
  return row;
}

let sequence = 0;
/** An outbox event and its delivery to `target`, in whatever state the test needs. */
async function seedDelivery(
  w: World,
  target: Target,
  fields: DeliveryFields = {},
  event: EventName = "message_created",
) {
  const db = testDb();
  const [e] = await db
    .insert(events)
    .values({
      uid: unique("evt"),
      accountId: w.account.id,
      inboxId: w.inbox.id,
      event,
      stream: unique("stream"),
      sequence: ++sequence,
    })
    .returning();
  const [d] = await db
    .insert(deliveries)
    .values({ uid: unique("msg"), accountId: w.account.id, eventId: e.id, ...target, ...fields })
    .returning();
  return d;
}

/** Stops jobs at the producer: the test sees what was sent, and no consumer touches the rows. */
function spyOnQueue() {
  return vi.spyOn(env.WEBHOOK_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
}

afterEach(() => vi.restoreAllMocks());

describe("delivery log: happy path", () => {
  it("lists a webhook's deliveries newest first, in every state, with their event names", async () => {
    const w = await createWorld();
    const hook = await seedWebhook(w);
    const other = await seedWebhook(w);
    const t = Date.UTC(2026, 0, 2, 3, 4, 5);
    const delivered = await seedDelivery(
      w,
      { webhookId: hook.id },
      {
        status: "delivered",
        attempts: 1,
        lastStatusCode: 200,
        lastLatencyMs: 87,
        lastResponse: "ok",
        deliveredAt: t + 1500,
        createdAt: t,
      },
    );
    const failing = await seedDelivery(
      w,
      { webhookId: hook.id },
      {
        status: "failed",
        attempts: 3,
        lastStatusCode: 503,
        lastLatencyMs: 10_000,
        lastResponse: "<html>Service Unavailable</html>",
        lastError: "HTTP 503",
        nextAttemptAt: t + 30 * 60_000,
        createdAt: t,
      },
      "conversation_updated",
    );
    const pending = await seedDelivery(
      w,
      { webhookId: hook.id },
      { nextAttemptAt: t, createdAt: t },
      "conversation_created",
    );
    const dead = await seedDelivery(
      w,
      { webhookId: hook.id },
      { status: "dead", attempts: 8, lastError: "timeout after 10s", createdAt: t },
    );
    await seedDelivery(w, { webhookId: other.id });
    await seedDelivery(w, { inboxId: w.inbox.id });

    const res = await as(w.admin).get(`${w.base}/webhooks/${hook.id}/deliveries`);
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ current_page: 1, has_more: false });
    expect(res.body.payload.map((d: any) => d.id)).toEqual([dead.id, pending.id, failing.id, delivered.id]);
    const byId = Object.fromEntries(res.body.payload.map((d: any) => [d.id, d]));
    expect(byId[delivered.id]).toEqual({
      id: delivered.id,
      webhook_id: delivered.uid,
      event: "message_created",
      status: "delivered",
      attempts: 1,
      last_status_code: 200,
      last_latency_ms: 87,
      response_snippet: "ok",
      last_error: null,
      next_attempt_at: null,
      delivered_at: Math.floor((t + 1500) / 1000),
      created_at: t / 1000,
    });
    expect(byId[failing.id]).toMatchObject({
      event: "conversation_updated",
      status: "failed",
      attempts: 3,
      last_status_code: 503,
      last_error: "HTTP 503",
      response_snippet: "<html>Service Unavailable</html>",
      next_attempt_at: (t + 30 * 60_000) / 1000,
      delivered_at: null,
    });
    expect(byId[pending.id]).toMatchObject({
      event: "conversation_created",
      status: "pending",
      attempts: 0,
      last_status_code: null,
      next_attempt_at: t / 1000,
    });
    expect(byId[dead.id]).toMatchObject({ status: "dead", attempts: 8, last_error: "timeout after 10s" });
  });

  it("pages 25 at a time with has_more", async () => {
    const w = await createWorld();
    const hook = await seedWebhook(w);
    const ids: number[] = [];
    for (let i = 0; i < 27; i++) ids.push((await seedDelivery(w, { webhookId: hook.id })).id);
    const newestFirst = [...ids].reverse();
    const path = `${w.base}/webhooks/${hook.id}/deliveries`;

    const first = await as(w.admin).get(path);
    expect(first.body.meta).toEqual({ current_page: 1, has_more: true });
    expect(first.body.payload.map((d: any) => d.id)).toEqual(newestFirst.slice(0, 25));
    const second = await as(w.admin).get(path, { page: "2" });
    expect(second.body.meta).toEqual({ current_page: 2, has_more: false });
    expect(second.body.payload.map((d: any) => d.id)).toEqual(newestFirst.slice(25));
    const beyond = await as(w.admin).get(path, { page: "3" });
    expect(beyond.body).toEqual({ payload: [], meta: { current_page: 3, has_more: false } });
    expect((await as(w.admin).get(path, { page: "" })).body.meta.current_page).toBe(1);
    expectError(await as(w.admin).get(path, { page: "0" }), 422);
    expectError(await as(w.admin).get(path, { page: "two" }), 422);
  });

  it("lists an inbox's webhook_url deliveries, and only those", async () => {
    const w = await createWorld();
    const hook = await seedWebhook(w);
    const mine = await seedDelivery(w, { inboxId: w.inbox.id }, { status: "delivered", lastStatusCode: 204 });
    await seedDelivery(w, { inboxId: w.otherInbox.id });
    await seedDelivery(w, { webhookId: hook.id });
    const res = await as(w.admin).get(`${w.base}/inboxes/${w.inbox.id}/deliveries`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      payload: [
        expect.objectContaining({
          id: mine.id,
          webhook_id: mine.uid,
          event: "message_created",
          status: "delivered",
          last_status_code: 204,
        }),
      ],
      meta: { current_page: 1, has_more: false },
    });
    const empty = await as(w.admin).get(`${w.base}/inboxes/${w.otherInbox.id}/deliveries`, { page: "2" });
    expect(empty.body).toEqual({ payload: [], meta: { current_page: 2, has_more: false } });
  });

  it("is served by the target's index, not a scan", async () => {
    const db = testDb();
    const plan = async (target: Target) => {
      const q = deliveryPage(db, 1, target, 1).toSQL();
      const rows = await env.DB.prepare(`explain query plan ${q.sql}`)
        .bind(...q.params)
        .all<{ detail: string }>();
      return rows.results.map((r) => r.detail).join("\n");
    };
    const byWebhook = await plan({ webhookId: 1 });
    expect(byWebhook).toMatch(/deliveries USING INDEX deliveries_webhook_idx/);
    expect(byWebhook).not.toMatch(/TEMP B-TREE/);
    const byInbox = await plan({ inboxId: 1 });
    expect(byInbox).toMatch(/deliveries USING INDEX deliveries_inbox_idx/);
    expect(byInbox).not.toMatch(/TEMP B-TREE/);
  });
});

describe("redeliver", () => {
  it("makes a webhook delivery pending again now and sends its queue job", async () => {
    const w = await createWorld();
    const hook = await seedWebhook(w);
    const dead = await seedDelivery(
      w,
      { webhookId: hook.id },
      {
        status: "dead",
        attempts: 8,
        lastStatusCode: 500,
        lastError: "HTTP 500",
        leaseUntil: Date.now() + 60_000,
        nextAttemptAt: null,
      },
    );
    const sendBatch = spyOnQueue();
    const before = Date.now();
    const res = await as(w.admin).post(`${w.base}/webhooks/${hook.id}/deliveries/${dead.id}/redeliver`);
    expect(res.status).toBe(200);
    expect(res.body.payload).toMatchObject({
      id: dead.id,
      webhook_id: dead.uid,
      event: "message_created",
      status: "pending",
      attempts: 8,
      last_status_code: 500,
      next_attempt_at: expect.any(Number),
    });
    expect(res.body.payload.next_attempt_at).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    const row = await deliveryRow(dead.id);
    expect(row).toMatchObject({ status: "pending", lease_until: null, uid: dead.uid });
    expect(row!.next_attempt_at as number).toBeGreaterThanOrEqual(before);
    expect(sendBatch).toHaveBeenCalledTimes(1);
    expect(sendBatch.mock.calls[0][0]).toEqual([{ body: { deliveryId: dead.id }, delaySeconds: 0 }]);
  });

  it("redelivers an inbox's webhook_url delivery, even one already delivered", async () => {
    const w = await createWorld();
    const done = await seedDelivery(
      w,
      { inboxId: w.inbox.id },
      { status: "delivered", attempts: 1, deliveredAt: Date.now() },
    );
    const sendBatch = spyOnQueue();
    const res = await as(w.admin).post(`${w.base}/inboxes/${w.inbox.id}/deliveries/${done.id}/redeliver`);
    expect(res.status).toBe(200);
    expect(res.body.payload).toMatchObject({ id: done.id, status: "pending", event: "message_created" });
    expect((await deliveryRow(done.id))!.status).toBe("pending");
    expect(sendBatch.mock.calls.map((c) => c[0])).toEqual([[{ body: { deliveryId: done.id }, delaySeconds: 0 }]]);
  });
});

describe("delivery log: not found", () => {
  it("answers unknown and foreign webhooks and inboxes with 404, like missing ones", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const bHook = await seedWebhook(b);
    await seedDelivery(b, { webhookId: bHook.id }, { lastResponse: "B-SECRET-RESPONSE" });
    await seedDelivery(b, { inboxId: b.inbox.id }, { lastResponse: "B-SECRET-RESPONSE" });

    const missing = await as(a.admin).get(`${a.base}/webhooks/999999/deliveries`);
    expectError(missing, 404, "Webhook not found");
    const foreign = await as(a.admin).get(`${a.base}/webhooks/${bHook.id}/deliveries`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    const missingInbox = await as(a.admin).get(`${a.base}/inboxes/999999/deliveries`);
    expectError(missingInbox, 404, "Inbox not found");
    const foreignInbox = await as(a.admin).get(`${a.base}/inboxes/${b.inbox.id}/deliveries`);
    expect(foreignInbox.body).toEqual(missingInbox.body);
    expectError(await as(a.admin).get(`${b.base}/webhooks/${bHook.id}/deliveries`), 404, "Account not found");
    expectError(await as(a.admin).get(`${b.base}/inboxes/${b.inbox.id}/deliveries`), 404, "Account not found");
    for (const res of [foreign, foreignInbox]) expect(res.text).not.toContain("B-SECRET");
    expectError(await as(a.admin).get(`${a.base}/webhooks/abc/deliveries`), 422);
  });

  it("redelivers only a delivery of the target in the path, and leaves the others alone", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const hook = await seedWebhook(a);
    const otherHook = await seedWebhook(a);
    const bHook = await seedWebhook(b);
    const dead = { status: "dead" as const, attempts: 8 };
    const ofOtherHook = await seedDelivery(a, { webhookId: otherHook.id }, dead);
    const ofInbox = await seedDelivery(a, { inboxId: a.inbox.id }, dead);
    const ofOtherInbox = await seedDelivery(a, { inboxId: a.otherInbox.id }, dead);
    const ofB = await seedDelivery(b, { webhookId: bHook.id }, dead);
    const ofBInbox = await seedDelivery(b, { inboxId: b.inbox.id }, dead);
    const rows = [ofOtherHook, ofInbox, ofOtherInbox, ofB, ofBInbox];
    const before = await Promise.all(rows.map((d) => deliveryRow(d.id)));
    const sendBatch = spyOnQueue();

    const attempts = [
      `${a.base}/webhooks/${hook.id}/deliveries/${ofOtherHook.id}/redeliver`,
      `${a.base}/webhooks/${hook.id}/deliveries/${ofInbox.id}/redeliver`,
      `${a.base}/webhooks/${hook.id}/deliveries/${ofB.id}/redeliver`,
      `${a.base}/webhooks/${bHook.id}/deliveries/${ofB.id}/redeliver`,
      `${a.base}/webhooks/${hook.id}/deliveries/999999/redeliver`,
      `${a.base}/inboxes/${a.inbox.id}/deliveries/${ofOtherInbox.id}/redeliver`,
      `${a.base}/inboxes/${a.inbox.id}/deliveries/${ofOtherHook.id}/redeliver`,
      `${a.base}/inboxes/${b.inbox.id}/deliveries/${ofBInbox.id}/redeliver`,
      `${a.base}/inboxes/${a.inbox.id}/deliveries/${ofBInbox.id}/redeliver`,
    ];
    for (const path of attempts) expectError(await as(a.admin).post(path), 404, "Delivery not found");
    expectError(
      await as(a.admin).post(`${b.base}/webhooks/${bHook.id}/deliveries/${ofB.id}/redeliver`),
      404,
      "Account not found",
    );
    expect(await Promise.all(rows.map((d) => deliveryRow(d.id)))).toEqual(before);
    expect(sendBatch).not.toHaveBeenCalled();
  });
});

describe("delivery log: security", () => {
  it("is for administrators only, and needs a token", async () => {
    const w = await createWorld();
    const hook = await seedWebhook(w);
    const d = await seedDelivery(w, { webhookId: hook.id }, { status: "dead" });
    const i = await seedDelivery(w, { inboxId: w.inbox.id }, { status: "dead" });
    const sendBatch = spyOnQueue();
    const routes: [string, string][] = [
      ["GET", `${w.base}/webhooks/${hook.id}/deliveries`],
      ["POST", `${w.base}/webhooks/${hook.id}/deliveries/${d.id}/redeliver`],
      ["GET", `${w.base}/inboxes/${w.inbox.id}/deliveries`],
      ["POST", `${w.base}/inboxes/${w.inbox.id}/deliveries/${i.id}/redeliver`],
    ];
    for (const [method, path] of routes) {
      expectError(
        await api(method, path, method === "POST" ? {} : undefined, { token: w.agent.token }),
        403,
        "You are not authorized to do this action",
      );
      expectError(await api(method, path, method === "POST" ? {} : undefined), 401, "Invalid Access Token");
      expectError(await api(method, path, method === "POST" ? {} : undefined, { token: "wrong" }), 401);
    }
    expect((await deliveryRow(d.id))!.status).toBe("dead");
    expect((await deliveryRow(i.id))!.status).toBe("dead");
    expect(sendBatch).not.toHaveBeenCalled();
  });
});
