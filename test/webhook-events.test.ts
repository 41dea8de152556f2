import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import type { BatchItem } from "drizzle-orm/batch";
import { Outbox } from "../src/events/outbox";
import { publishCommitted } from "../src/events/publish";
import { eq } from "drizzle-orm";
import { inboxes, webhooks } from "../src/db/schema";
import { EVENT_NAMES } from "../src/events/registry";
import { fromBase64, hmacSha256, toBase64, toHex } from "../src/lib/crypto";
import { newSigningSecret } from "../src/services/inboxes";
import { as, createContact, createConversation, createWorld, testDb, unique, type World } from "./helpers/factories";
import { receiver, type Received } from "./helpers/receiver";

type Receiver = ReturnType<typeof receiver>;
const waitFor = <T>(fn: () => Promise<T>, timeout = 15_000) => vi.waitFor(fn, { timeout, interval: 100 });

async function accountHook(w: World, r: Receiver, fields: Partial<typeof webhooks.$inferInsert> = {}) {
  const [row] = await testDb()
    .insert(webhooks)
    .values({
      accountId: w.account.id,
      url: r.url,
      subscriptions: [...EVENT_NAMES],
      secret: newSigningSecret(),
      ...fields,
    })
    .returning();
  return row;
}

async function bodies(r: Receiver, event: string, count = 1): Promise<any[]> {
  return waitFor(async () => {
    const got = (await r.requests()).map((x) => JSON.parse(x.body)).filter((b) => b.event === event);
    if (got.length < count) throw new Error(`${got.length} ${event} so far`);
    return got;
  });
}

describe("events", () => {
  it("sends contact_created and contact_updated with real changed_attributes", async () => {
    const w = await createWorld();
    const r = receiver("contacts");
    await accountHook(w, r);
    const { contact } = await createContact(w, { name: "Before", email: "before@example.test" });
    // Bodies are rendered at the first delivery attempt; wait for it before changing the contact.
    const [created] = await bodies(r, "contact_created");
    await as(w.admin).put(`${w.base}/contacts/${contact.id}`, { name: "After", custom_attributes: { plan: "pro" } });
    expect(created).toMatchObject({
      id: contact.id,
      name: "Before",
      email: "before@example.test",
      account: { id: w.account.id },
      sequence: 1,
    });
    const [updated] = await bodies(r, "contact_updated");
    expect(updated.changed_attributes).toEqual([
      { name: { previous_value: "Before", current_value: "After" } },
      { custom_attributes: { previous_value: {}, current_value: { plan: "pro" } } },
    ]);
    expect(updated.sequence).toBe(2);
  });

  it("sends contact_deleted with the contact as it was, to account webhooks only, after its row is gone", async () => {
    const w = await createWorld();
    const r = receiver("deleted-contacts");
    await accountHook(w, r);
    const inboxHook = receiver("deleted-contacts-inbox");
    await testDb().update(inboxes).set({ webhookUrl: inboxHook.url }).where(eq(inboxes.id, w.inbox.id));
    const { contact } = await createContact(w, {
      name: "Gone Soon",
      email: "gone@example.test",
      identifier: unique("gone"),
      custom_attributes: { plan: "pro" },
    });
    await bodies(r, "contact_created");
    const res = await as(w.admin).delete(`${w.base}/contacts/${contact.id}`);
    expect(res.status).toBe(200);
    const [deleted] = await bodies(r, "contact_deleted");
    expect(deleted).toMatchObject({
      event: "contact_deleted",
      id: contact.id,
      name: "Gone Soon",
      email: "gone@example.test",
      identifier: contact.identifier,
      phone_number: null,
      blocked: false,
      custom_attributes: { plan: "pro" },
      account: { id: w.account.id, name: w.account.name },
      sequence: 2,
    });
    expect(deleted).not.toHaveProperty("changed_attributes");
    expect(Object.keys(deleted).slice(0, 3)).toEqual(["event", "sequence", "occurred_at"]);
    // Deleting it again, or another account's contact, records nothing.
    expect((await as(w.admin).delete(`${w.base}/contacts/${contact.id}`)).status).toBe(404);
    const other = await createWorld("Other");
    const theirs = await createContact(other, { name: "Theirs" });
    expect((await as(w.admin).delete(`${w.base}/contacts/${theirs.contact.id}`)).status).toBe(404);
    const rows = await env.DB.prepare(
      "select count(*) n from events where event = 'contact_deleted' and contact_id in (?, ?)",
    )
      .bind(contact.id, theirs.contact.id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(1);
    // The snapshot is stored as a JSON object, readable in the events table.
    const stored = await env.DB.prepare(
      `select json_type(data, '$.contact') t, json_extract(data, '$.contact.name') name
       from events where event = 'contact_deleted' and contact_id = ?`,
    )
      .bind(contact.id)
      .first<{ t: string; name: string }>();
    expect(stored).toEqual({ t: "object", name: "Gone Soon" });
    // An API inbox's webhook_url never gets contact events (as Chatwoot).
    expect((await inboxHook.requests()).map((x) => JSON.parse(x.body).event)).not.toContain("contact_deleted");
  });

  it("sends inbox_created and inbox_updated without the HMAC token or signing secret", async () => {
    const w = await createWorld();
    const r = receiver("inboxes");
    await accountHook(w, r);
    const created = await as(w.admin).post(`${w.base}/inboxes`, { name: "Kiosk", channel: { type: "api" } });
    await as(w.admin).patch(`${w.base}/inboxes/${created.body.id}`, { name: "Kiosk 2" });
    const [c] = await bodies(r, "inbox_created");
    const [u] = await bodies(r, "inbox_updated");
    expect(c).toMatchObject({
      id: created.body.id,
      inbox_identifier: created.body.inbox_identifier,
      account: { id: w.account.id },
    });
    expect(u.name).toBe("Kiosk 2");
    const raw = JSON.stringify([c, u]);
    for (const secret of [created.body.hmac_token, created.body.secret]) expect(raw).not.toContain(secret);
    expect(c).not.toHaveProperty("hmac_token");
    expect(c).not.toHaveProperty("secret");
  });

  it("sends typing events and conversation_updated for assignments, team and labels", async () => {
    const w = await createWorld();
    const r = receiver("conv");
    await accountHook(w, r);
    const { path, conversation } = await createConversation(w);
    await as(w.agent).post(`${path}/toggle_typing_status`, { typing_status: "on" });
    await as(w.agent).post(`${path}/toggle_typing_status`, { typing_status: "off" });
    await as(w.admin).post(`${path}/assignments`, { assignee_id: w.agent.id });
    await as(w.admin).post(`${path}/labels`, { labels: ["vip"] });
    const [on] = await bodies(r, "conversation_typing_on");
    expect(on).toMatchObject({
      user: { id: w.agent.id, type: "user" },
      is_private: false,
      conversation: { id: conversation.id },
    });
    await bodies(r, "conversation_typing_off");
    // Deliveries run in parallel and may arrive in any order; `sequence` gives the order of events.
    const updates = (await bodies(r, "conversation_updated", 2)).sort((a, b) => a.sequence - b.sequence);
    expect(updates[1].sequence).toBeGreaterThan(updates[0].sequence);
    expect(updates.map((u) => u.changed_attributes)).toEqual([
      [{ assignee_id: { previous_value: null, current_value: w.agent.id } }],
      [{ label_list: { previous_value: [], current_value: ["vip"] } }],
    ]);
    expect(updates[0].meta.assignee).toMatchObject({ id: w.agent.id });
  });

  it("scopes an account webhook with inbox_id to that inbox, and inbox subscriptions filter events", async () => {
    const w = await createWorld();
    const scoped = receiver("scoped");
    await accountHook(w, scoped, { inboxId: w.otherInbox.id, subscriptions: ["conversation_created"] });
    const inboxOnly = receiver("inbox-subs");
    await testDb()
      .update(inboxes)
      .set({ webhookUrl: inboxOnly.url, webhookSubscriptions: ["message_created"] })
      .where(eq(inboxes.id, w.inbox.id));
    const main = await createConversation(w);
    const other = await createConversation(w, { inbox_id: w.otherInbox.id });
    await as(w.admin).post(`${main.path}/messages`, { content: "hello" });
    const [created] = await bodies(scoped, "conversation_created");
    expect(created.id).toBe(other.conversation.id);
    const got = await bodies(inboxOnly, "message_created");
    expect(got[0].content).toBe("hello");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await scoped.requests()).map((x) => JSON.parse(x.body).id)).toEqual([other.conversation.id]);
    expect((await inboxOnly.requests()).map((x) => JSON.parse(x.body).event)).toEqual(["message_created"]);
  });
});

async function signatures(req: Received, secret: string) {
  const id = req.headers["webhook-id"];
  const ts = req.headers["webhook-timestamp"];
  return {
    standard: `v1,${toBase64(await hmacSha256(fromBase64(secret.slice(6)), `${id}.${ts}.${req.body}`))}`,
    chatwoot: `sha256=${toHex(await hmacSha256(secret, `${ts}.${req.body}`))}`,
  };
}

describe("signing secrets", () => {
  it("signs with the new and the previous secret for 24 hours after a reset", async () => {
    const w = await createWorld();
    const r = receiver("rotate");
    const hook = await accountHook(w, r, { subscriptions: ["contact_created"] });
    const reset = await as(w.admin).post(`${w.base}/webhooks/${hook.id}/reset_secret`);
    const fresh = reset.body.payload.webhook.secret;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(hook.secret);
    await createContact(w);
    const [req] = await waitFor(async () => {
      const got = await r.requests();
      if (!got.length) throw new Error("nothing yet");
      return got;
    });
    const now = await signatures(req, fresh);
    const before = await signatures(req, hook.secret);
    expect(req.headers["webhook-signature"].split(" ")).toEqual([now.standard, before.standard]);
    expect(req.headers["x-chatwoot-signature"]).toBe(now.chatwoot);
    expect(req.headers["x-konversio-previous-signature"]).toBe(before.chatwoot);
  });
});

describe("target health, delivery log and redelivery", () => {
  it("disables a target that has been failing for five days, visibly", async () => {
    const w = await createWorld();
    const r = receiver("sick");
    await r.configure({ fail: 99, mode: "404" });
    const hook = await accountHook(w, r, {
      subscriptions: ["contact_created"],
      failingSince: Date.now() - 5 * 24 * 3600 * 1000 - 1000,
    });
    await createContact(w);
    const shown = await waitFor(async () => {
      const res = await as(w.admin).get(`${w.base}/webhooks`);
      const found = res.body.payload.webhooks.find((x: any) => x.id === hook.id);
      if (!found.webhook_disabled) throw new Error("still enabled");
      return found;
    });
    expect(shown.failing_since).toBeLessThan(Date.now() / 1000 - 5 * 24 * 3600);
    await createContact(w, { identifier: unique("later") });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await r.requests()).toHaveLength(1);
  });

  it("logs every attempt and redelivers with the same webhook-id", async () => {
    const w = await createWorld();
    const r = receiver("logged");
    await r.configure({ fail: 1, mode: "500" });
    const hook = await accountHook(w, r, { subscriptions: ["contact_created"] });
    const { contact } = await createContact(w);
    const [entry] = await waitFor(async () => {
      const log = await as(w.admin).get(`${w.base}/webhooks/${hook.id}/deliveries`);
      if (log.body.payload[0]?.status !== "delivered") throw new Error(JSON.stringify(log.body.payload[0]));
      return log.body.payload;
    });
    expect(entry).toMatchObject({
      event: "contact_created",
      attempts: 2,
      last_status_code: 200,
      response_snippet: '{"ok":true}',
      next_attempt_at: null,
    });
    expect(entry.last_latency_ms).toEqual(expect.any(Number));
    const first = await r.requests();
    expect(first.map((x) => x.status)).toEqual([500, 200]);

    // The contact changes before the redelivery: the body sent is the one stored, not a new render.
    expect((await as(w.admin).put(`${w.base}/contacts/${contact.id}`, { name: "Renamed since" })).status).toBe(200);
    const again = await as(w.admin).post(`${w.base}/webhooks/${hook.id}/deliveries/${entry.id}/redeliver`);
    expect(again.status).toBe(200);
    const all = await waitFor(async () => {
      const got = await r.requests();
      if (got.length < 3) throw new Error("not redelivered yet");
      return got;
    });
    expect(new Set(all.map((x) => x.headers["webhook-id"])).size).toBe(1);
    expect(all[2].body).toBe(all[1].body);
  });
});

describe("enqueueing many events at once", () => {
  it("delivers every event of a flush larger than one queue batch (100 messages)", async () => {
    const w = await createWorld();
    const r = receiver("many");
    await accountHook(w, r, { subscriptions: ["conversation_typing_on"] });
    const { conversation } = await createConversation(w);
    const db = testDb();
    const [{ id }] = await env.DB.prepare("select id from conversations where account_id = ? and display_id = ?")
      .bind(w.account.id, conversation.id)
      .all<{ id: number }>()
      .then((x) => x.results);
    const outbox = new Outbox(db);
    for (let batch = 0; batch < 3; batch++) {
      const statements = Array.from({ length: 50 }, () =>
        outbox.record({
          event: "conversation_typing_on",
          accountId: w.account.id,
          inboxId: w.inbox.id,
          conversationId: id,
          data: { is_private: false },
        }),
      ).flat();
      await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    }
    await publishCommitted(env, outbox, async () => {});
    // No sweeper runs in tests: only the flush's own enqueues can deliver these.
    const got = await bodies(r, "conversation_typing_on", 150);
    expect(new Set(got.map((b) => b.sequence)).size).toBe(150);
  }, 60_000);
});
