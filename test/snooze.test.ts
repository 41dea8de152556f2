import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { conversations, inboxes, webhooks } from "../src/db/schema";
import type { BatchItem } from "drizzle-orm/batch";
import { handleScheduled } from "../src/cron";
import { Outbox } from "../src/events/outbox";
import { newSigningSecret } from "../src/services/inboxes";
import { dueQuery, wakeDue, wakeStatements } from "../src/services/snooze";
import { as, createConversation, createWorld, testDb, type World } from "./helpers/factories";
import { receiver } from "./helpers/receiver";

type Event = { event: string; changed: unknown };

/** The conversation's (database id) status events, oldest first. */
async function statusEvents(id: number): Promise<Event[]> {
  const rows = await env.DB.prepare(
    "select event, data from events where conversation_id = ? and event in " +
      "('conversation_status_changed', 'conversation_updated') order by id",
  )
    .bind(id)
    .all<{ event: string; data: string }>();
  return rows.results.map((e) => ({ event: e.event, changed: JSON.parse(e.data).changed_attributes }));
}

const activities = async (id: number) =>
  (
    await env.DB.prepare(
      "select content from messages where conversation_id = ? and message_type = 'activity' order by id",
    )
      .bind(id)
      .all<{ content: string }>()
  ).results.map((r) => r.content);

async function row(w: World, displayId: number) {
  const [c] = await testDb()
    .select()
    .from(conversations)
    .where(eq(conversations.accountId, w.account.id))
    .then((rows) => rows.filter((r) => r.displayId === displayId));
  return c;
}

/** Snoozes through the API until `until` (unix seconds), then moves the wake time into the past. */
async function snoozedAndDue(w: World, fields: Record<string, unknown> = {}) {
  const created = await createConversation(w, fields);
  const until = Math.floor(Date.now() / 1000) + 3600;
  const res = await as(w.admin).post(`${created.path}/toggle_status`, { status: "snoozed", snoozed_until: until });
  expect(res.body.payload).toMatchObject({ current_status: "snoozed", snoozed_until: until });
  const c = await row(w, created.conversation.id);
  // The column holds milliseconds (toggle_status takes seconds).
  expect(c.snoozedUntil).toBe(until * 1000);
  const due = Date.now() - 60_000;
  await testDb().update(conversations).set({ snoozedUntil: due }).where(eq(conversations.id, c.id));
  return { ...created, id: c.id, dueSeconds: Math.floor(due / 1000) };
}

describe("snooze wake-up (cron)", () => {
  it("leaves a conversation snoozed until its time, then reopens it as a reopen does", async () => {
    const w = await createWorld();
    const created = await createConversation(w);
    const until = Math.floor(Date.now() / 1000) + 3600;
    await as(w.admin).post(`${created.path}/toggle_status`, { status: "snoozed", snoozed_until: until });
    await handleScheduled(env);
    expect((await as(w.admin).get(created.path)).body).toMatchObject({ status: "snoozed", snoozed_until: until });

    const c = await row(w, created.conversation.id);
    const due = Date.now() - 60_000;
    await testDb().update(conversations).set({ snoozedUntil: due }).where(eq(conversations.id, c.id));
    await handleScheduled(env);

    expect((await as(w.admin).get(created.path)).body).toMatchObject({ status: "open", snoozed_until: null });
    const open = await as(w.admin).get(`${w.base}/conversations`, { status: "open", assignee_type: "all" });
    expect(open.body.data.payload.map((x: { id: number }) => x.id)).toContain(created.conversation.id);
    expect((await activities(c.id)).at(-1)).toBe("Conversation was reopened by Automation System");
    const changed = [
      { status: { previous_value: "snoozed", current_value: "open" } },
      { snoozed_until: { previous_value: Math.floor(due / 1000), current_value: null } },
    ];
    expect((await statusEvents(c.id)).slice(-2)).toEqual([
      { event: "conversation_status_changed", changed },
      { event: "conversation_updated", changed },
    ]);
  });

  it("routes a woken conversation nobody holds, and keeps an assigned one with its agent", async () => {
    const w = await createWorld();
    const free = await snoozedAndDue(w);
    const held = await snoozedAndDue(w, { assignee_id: w.agent.id });
    await testDb().update(inboxes).set({ enableAutoAssignment: true }).where(eq(inboxes.id, w.inbox.id));
    await handleScheduled(env);

    const routed = (await as(w.admin).get(free.path)).body;
    expect(routed.status).toBe("open");
    expect([w.admin.id, w.agent.id]).toContain(routed.meta.assignee.id);
    expect((await activities(free.id)).slice(-2)).toEqual([
      "Conversation was reopened by Automation System",
      `Assigned to ${routed.meta.assignee.name} by Automation System`,
    ]);
    const kept = (await as(w.admin).get(held.path)).body;
    expect(kept).toMatchObject({ status: "open", meta: { assignee: { id: w.agent.id } } });
    expect((await activities(held.id)).at(-1)).toBe("Conversation was reopened by Automation System");
  });

  it("wakes a conversation once when two runs overlap", async () => {
    const w = await createWorld();
    const s = await snoozedAndDue(w);
    await Promise.all([handleScheduled(env), handleScheduled(env), handleScheduled(env)]);
    expect((await row(w, s.conversation.id)).status).toBe("open");
    expect((await statusEvents(s.id)).filter((e) => e.event === "conversation_status_changed")).toHaveLength(2);
    expect((await activities(s.id)).filter((a) => a.includes("reopened"))).toHaveLength(1);
  });

  it("changes nothing, and records no event, in a second batch built from the same read", async () => {
    const w = await createWorld();
    const s = await snoozedAndDue(w);
    const db = testDb();
    const now = Date.now();
    const due = (await dueQuery(db, now, 100)).filter((d) => d.id === s.id);
    expect(due).toHaveLength(1);
    const outbox = new Outbox(db);
    const first = wakeStatements(db, outbox, due[0], now);
    const second = wakeStatements(db, outbox, due[0], now);
    const one = (await db.batch(first.statements as [BatchItem<"sqlite">])) as unknown[][];
    const two = (await db.batch(second.statements as [BatchItem<"sqlite">])) as unknown[][];
    expect(one[first.woken]).toEqual([{ id: s.id }]);
    expect(two[second.woken]).toEqual([]);
    const events = await statusEvents(s.id);
    // The snooze (2 events) and one wake-up (2 events).
    expect(events.map((e) => e.event)).toEqual([
      "conversation_status_changed",
      "conversation_updated",
      "conversation_status_changed",
      "conversation_updated",
    ]);
    expect(await activities(s.id)).toEqual([
      "Conversation was snoozed by Admin",
      "Conversation was reopened by Automation System",
    ]);
  });

  it("wakes in bounded batches: the rest wait for the next run", async () => {
    const w = await createWorld();
    const all = [await snoozedAndDue(w), await snoozedAndDue(w), await snoozedAndDue(w)];
    const outbox = new Outbox(testDb());
    expect(await wakeDue(testDb(), outbox, Date.now(), { chunk: 2, chunks: 1 })).toBe(2);
    const statuses = async () => Promise.all(all.map(async (s) => (await row(w, s.conversation.id)).status));
    expect((await statuses()).sort()).toEqual(["open", "open", "snoozed"]);
    expect(await wakeDue(testDb(), outbox, Date.now(), { chunk: 2, chunks: 1 })).toBe(1);
    expect(await statuses()).toEqual(["open", "open", "open"]);
    expect(await wakeDue(testDb(), outbox, Date.now())).toBe(0);
  });

  it("never wakes a conversation snoozed without a time (until the contact writes)", async () => {
    const w = await createWorld();
    const created = await createConversation(w);
    await as(w.admin).post(`${created.path}/toggle_status`, { status: "snoozed" });
    await handleScheduled(env);
    expect((await as(w.admin).get(created.path)).body).toMatchObject({ status: "snoozed", snoozed_until: null });
  });

  it("tells the inbox's webhook_url and account webhooks, as for a reopen", async () => {
    const w = await createWorld();
    const inboxHook = receiver("snooze-inbox");
    const accountHook = receiver("snooze-account");
    await testDb().update(inboxes).set({ webhookUrl: inboxHook.url }).where(eq(inboxes.id, w.inbox.id));
    await testDb()
      .insert(webhooks)
      .values({
        accountId: w.account.id,
        url: accountHook.url,
        subscriptions: ["conversation_status_changed"],
        secret: newSigningSecret(),
      });
    const s = await snoozedAndDue(w);
    await handleScheduled(env);
    const bodyOf = (r: ReturnType<typeof receiver>) =>
      vi.waitFor(
        async () => {
          const got = (await r.requests())
            .map((x) => JSON.parse(x.body))
            .filter(
              (b) =>
                b.event === "conversation_status_changed" &&
                b.changed_attributes?.[0]?.status?.current_value === "open",
            );
          if (!got.length) throw new Error("nothing yet");
          return got;
        },
        { timeout: 10_000, interval: 100 },
      );
    for (const hook of [inboxHook, accountHook]) {
      const got = await bodyOf(hook);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ id: s.conversation.id, status: "open", snoozed_until: null });
    }
  });

  it("reads the due conversations through conversations_status_snoozed_idx", async () => {
    const { sql: text, params } = dueQuery(testDb(), Date.now()).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
      .bind(...params)
      .all<{ detail: string }>();
    const lines = plan.results.map((r) => r.detail);
    expect(lines.join("\n")).toMatch(/USING INDEX conversations_status_snoozed_idx/);
    expect(lines.filter((l) => /^SCAN /.test(l) || /TEMP B-TREE/.test(l))).toEqual([]);
  });
});
