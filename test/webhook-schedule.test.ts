import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { deliveries, events, webhooks } from "../src/db/schema";
import { newSigningSecret } from "../src/services/inboxes";
import { attemptDelivery } from "../src/webhooks/attempt";
import { DEFAULT_SCHEDULE, isRetryable, nextDelay, parseRetryAfter } from "../src/webhooks/policy";
import { MAX_QUEUE_DELAY_SECONDS } from "../src/events/queue";
import { createWorld, testDb } from "./helpers/factories";

describe("retry schedule", () => {
  it("reaches past 24 hours over 8 attempts, with ±20 % jitter", () => {
    expect(DEFAULT_SCHEDULE.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3600);
    for (let done = 1; done < DEFAULT_SCHEDULE.length; done++) {
      const base = DEFAULT_SCHEDULE[done];
      for (let i = 0; i < 20; i++) {
        const d = nextDelay(DEFAULT_SCHEDULE, done)!;
        expect(d).toBeGreaterThanOrEqual(base * 0.8);
        expect(d).toBeLessThanOrEqual(base * 1.2);
      }
    }
    expect(nextDelay(DEFAULT_SCHEDULE, DEFAULT_SCHEDULE.length)).toBeNull();
  });

  it("honours Retry-After when it asks for longer", () => {
    expect(nextDelay(DEFAULT_SCHEDULE, 1, 120)).toBe(120);
    expect(parseRetryAfter("30")).toBe(30);
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(55);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter("999999")).toBe(86_400);
  });

  it("retries timeouts, network errors, 408, 429 and 5xx only", () => {
    expect([null, 408, 429, 500, 502, 503].every(isRetryable)).toBe(true);
    expect([301, 400, 401, 403, 404, 410, 422].some(isRetryable)).toBe(false);
  });

  it("re-enqueues a job that arrives before a delivery due beyond the queue's 12-hour limit", async () => {
    const w = await createWorld();
    const db = testDb();
    const [hook] = await db
      .insert(webhooks)
      .values({
        accountId: w.account.id,
        url: "https://hooks.example.com/x",
        subscriptions: ["contact_created"],
        secret: newSigningSecret(),
      })
      .returning();
    const [event] = await db
      .insert(events)
      .values({
        uid: `evt_${crypto.randomUUID()}`,
        accountId: w.account.id,
        event: "contact_created",
        stream: "contact:0",
        sequence: 1,
      })
      .returning();
    const due = Date.now() + 20 * 3600 * 1000;
    const [d] = await db
      .insert(deliveries)
      .values({
        uid: `msg_${crypto.randomUUID()}`,
        accountId: w.account.id,
        eventId: event.id,
        webhookId: hook.id,
        nextAttemptAt: due,
      })
      .returning();
    const send = vi.spyOn(env.WEBHOOK_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    await attemptDelivery(env, db, d.id);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(send).toHaveBeenCalledWith([{ body: { deliveryId: d.id }, delaySeconds: MAX_QUEUE_DELAY_SECONDS }]);
    const [after] = await db.select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(after).toMatchObject({ status: "pending", attempts: 0, nextAttemptAt: due });
    send.mockRestore();
    fetchSpy.mockRestore();
  });
});
