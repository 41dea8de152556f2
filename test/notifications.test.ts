import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { EVENT_NAMES, EVENTS, heardBy } from "../src/events/registry";
import { mentionMarkup } from "../src/lib/mentions";
import { as, createContact, createConversation, createWorld, expectError, type World } from "./helpers/factories";
import { connect, until } from "./helpers/cable";

/** A private note by the administrator mentioning the agent: one notification for the agent. */
async function mentionAgent(w: World, path: string, text = "please look") {
  const res = await as(w.admin).post(`${path}/messages`, {
    content: `${mentionMarkup(w.agent.id, w.agent.name)} ${text}`,
    private: true,
  });
  expect(res.status).toBe(200);
  return res.body as { id: number };
}

async function notificationIds(w: World, query: Record<string, string> = {}) {
  const res = await as(w.agent).get(`${w.base}/notifications`, query);
  expect(res.status).toBe(200);
  return (res.body.data.payload as { id: number }[]).map((n) => n.id);
}

describe("notifications API", () => {
  it("lists the caller's unread notifications newest first, with Chatwoot's meta, 15 a page", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const notes = [];
    for (let i = 0; i < 17; i++) notes.push(await mentionAgent(w, path, `number ${i}`));

    const first = await as(w.agent).get(`${w.base}/notifications`);
    expect(first.status).toBe(200);
    expect(first.body.data.meta).toEqual({ unread_count: 17, count: 17, current_page: 1 });
    expect(first.body.data.payload).toHaveLength(15);
    const [newest] = first.body.data.payload;
    expect(newest).toEqual({
      id: expect.any(Number),
      notification_type: "conversation_mention",
      push_message_title: `You have been mentioned in conversation (#${conversation.id})`,
      push_message_body: "Admin: @Agent number 16",
      primary_actor_type: "Conversation",
      primary_actor_id: conversation.id,
      primary_actor: expect.objectContaining({ id: conversation.id, status: "open" }),
      secondary_actor: expect.objectContaining({ id: notes[16].id, message_type: 1, private: true }),
      user: expect.objectContaining({ id: w.agent.id, name: "Agent", type: "user" }),
      read_at: null,
      snoozed_until: null,
      created_at: expect.any(Number),
      last_activity_at: expect.any(Number),
      account_id: w.account.id,
      meta: {},
    });
    const second = await as(w.agent).get(`${w.base}/notifications`, { page: "2" });
    expect(second.body.data.meta.current_page).toBe(2);
    expect(second.body.data.payload.map((n: any) => n.secondary_actor.id)).toEqual([notes[1].id, notes[0].id]);
    const oldest = await as(w.agent).get(`${w.base}/notifications`, { sort_order: "asc" });
    expect(oldest.body.data.payload[0].secondary_actor.id).toBe(notes[0].id);

    expect((await as(w.agent).get(`${w.base}/notifications/unread_count`)).body).toBe(17);
    // The administrator has none of their own.
    const admin = await as(w.admin).get(`${w.base}/notifications`);
    expect(admin.body.data).toEqual({ meta: { unread_count: 0, count: 0, current_page: 1 }, payload: [] });
  });

  it("marks one read and unread, snoozes one, reads all and deletes, with the counts following", async () => {
    const w = await createWorld();
    const a = await createConversation(w);
    const b = await createConversation(w);
    await mentionAgent(w, a.path);
    await mentionAgent(w, a.path);
    await mentionAgent(w, b.path);
    const [nb, na2, na1] = await notificationIds(w);

    const read = await as(w.agent).patch(`${w.base}/notifications/${nb}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: nb, primary_actor_id: b.conversation.id });
    expect(Date.parse(read.body.read_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(await notificationIds(w)).toEqual([na2, na1]);
    expect(await notificationIds(w, { "includes[]": "read" })).toEqual([nb, na2, na1]);
    expect((await as(w.agent).get(`${w.base}/notifications/unread_count`)).body).toBe(2);

    const unread = await as(w.agent).post(`${w.base}/notifications/${nb}/unread`);
    expect(unread.body).toMatchObject({ id: nb, read_at: null });
    expect((await as(w.agent).get(`${w.base}/notifications/unread_count`)).body).toBe(3);

    const until = Math.floor(Date.now() / 1000) + 3600;
    const snoozed = await as(w.agent).post(`${w.base}/notifications/${na1}/snooze`, { snoozed_until: until });
    expect(snoozed.body.snoozed_until).toBe(new Date(until * 1000).toISOString());
    expect(await notificationIds(w)).toEqual([nb, na2]);
    expect(await notificationIds(w, { includes: "snoozed" })).toEqual([nb, na2, na1]);
    expect((await as(w.agent).get(`${w.base}/notifications/unread_count`)).body).toBe(2);

    // One conversation's (by its display id), then all.
    const one = await as(w.agent).post(`${w.base}/notifications/read_all`, {
      primary_actor_type: "Conversation",
      primary_actor_id: a.conversation.id,
    });
    expect(one.body).toEqual({ unread_count: 1 });
    expect(await notificationIds(w)).toEqual([nb]);
    expect((await as(w.agent).post(`${w.base}/notifications/read_all`)).body).toEqual({ unread_count: 0 });
    expect(await notificationIds(w)).toEqual([]);

    const removed = await as(w.agent).delete(`${w.base}/notifications/${nb}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ message: "Notification deleted" });
    expectError(await as(w.agent).patch(`${w.base}/notifications/${nb}`), 404, "Notification not found");
    expect(await notificationIds(w, { includes: "read,snoozed" })).toEqual([na2, na1]);
    const cleared = await as(w.agent).post(`${w.base}/notifications/destroy_all`, { type: "read" });
    expect(cleared.body).toEqual({ unread_count: 0 });
    expect(await notificationIds(w, { includes: "read,snoozed" })).toEqual([]);
  });

  it("refuses bad input with the error envelope", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    await mentionAgent(w, path);
    const [id] = await notificationIds(w);
    expectError(await as(w.agent).get(`${w.base}/notifications`, { includes: "archived" }), 422);
    expectError(await as(w.agent).get(`${w.base}/notifications`, { sort_order: "sideways" }), 422);
    expectError(await as(w.agent).get(`${w.base}/notifications`, { page: "0" }), 422);
    expectError(await as(w.agent).post(`${w.base}/notifications/${id}/snooze`, {}), 422);
    expectError(await as(w.agent).post(`${w.base}/notifications/${id}/snooze`, { snoozed_until: "soon" }), 422);
    expectError(await as(w.agent).post(`${w.base}/notifications/destroy_all`, { type: "some" }), 422);
    // Not an id: no notification has it (as the conversation routes answer).
    expectError(await as(w.agent).patch(`${w.base}/notifications/abc`), 404);
    expectError(await as(w.agent).patch(`${w.base}/notifications/999999999`), 404, "Notification not found");
  });

  it("shows and changes only the caller's own notifications, in this account", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const { path } = await createConversation(w);
    await mentionAgent(w, path);
    const [id] = await notificationIds(w);
    const before = await env.DB.prepare("select * from notifications where id = ?").bind(id).first();

    // Another agent of the account, an administrator, another account's administrator: as if missing.
    for (const [caller, base] of [
      [w.admin, w.base],
      [w.outsider, w.base],
      [other.admin, other.base],
      [other.admin, w.base],
    ] as const) {
      for (const res of [
        await as(caller).patch(`${base}/notifications/${id}`),
        await as(caller).post(`${base}/notifications/${id}/unread`),
        await as(caller).post(`${base}/notifications/${id}/snooze`, { snoozed_until: 2_000_000_000 }),
        await as(caller).delete(`${base}/notifications/${id}`),
      ])
        expectError(res, 404);
      if (base === w.base && caller !== other.admin) {
        expect((await as(caller).get(`${base}/notifications`)).body.data.payload).toEqual([]);
        expect((await as(caller).post(`${base}/notifications/read_all`)).status).toBe(200);
        expect((await as(caller).post(`${base}/notifications/destroy_all`)).status).toBe(200);
      }
    }
    expectError(await as(other.admin).get(`${w.base}/notifications`), 404);
    expectError(await as({ token: "nope" }).get(`${w.base}/notifications`), 401, "Invalid Access Token");
    // The agent's own notification is untouched, and they see it only in its account.
    expect(await env.DB.prepare("select * from notifications where id = ?").bind(id).first()).toEqual(before);
    const elsewhere = await createWorld("Third");
    expectError(await as(w.agent).get(`${elsewhere.base}/notifications`), 404);
    expect(await notificationIds(w)).toEqual([id]);
  });
});

describe("notifications in realtime", () => {
  it("notification.created reaches the mentioned agent's sockets alone, then updated and deleted", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const agent = await connect({ api_access_token: w.agent.token });
    const admin = await connect({ api_access_token: w.admin.token });
    const outsider = await connect({ api_access_token: w.outsider.token });

    const note = await mentionAgent(w, path);
    const created = await until(() => agent.events("notification.created")[0]);
    expect(created.data).toMatchObject({
      notification: {
        notification_type: "conversation_mention",
        primary_actor_id: conversation.id,
        secondary_actor: { id: note.id },
        user: { id: w.agent.id },
        read_at: null,
      },
      unread_count: 1,
      count: 1,
    });
    const id = created.data.notification.id;
    expect(typeof created.id).toBe("number");
    const listed = await as(w.agent).get(`${w.base}/notifications`);
    expect(created.data.notification).toEqual(listed.body.data.payload[0]);

    expect((await as(w.agent).patch(`${w.base}/notifications/${id}`)).status).toBe(200);
    const updated = await until(() => agent.events("notification.updated")[0]);
    expect(updated.data).toMatchObject({ notification: { id, read_at: expect.any(String) }, unread_count: 0 });
    expect((await as(w.agent).delete(`${w.base}/notifications/${id}`)).status).toBe(200);
    const deleted = await until(() => agent.events("notification.deleted")[0]);
    expect(deleted.data).toEqual({ notification: { id }, unread_count: 0, count: 0 });

    // A contact event every agent hears: a barrier after which nothing more can be in flight.
    const barrier = await createContact(w, { name: "Barrier" });
    for (const s of [agent, admin, outsider])
      await until(() => s.events("contact.created").some((f) => f.data.id === barrier.contact.id));
    for (const s of [admin, outsider]) expect(s.frames.filter((f) => /^notification\./.test(f?.event))).toEqual([]);
    for (const s of [agent, admin, outsider]) s.close();
  });

  it("a socket that reconnects with since= is replayed its own notification events only", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const first = await connect({ api_access_token: w.agent.token });
    await mentionAgent(w, path, "one");
    const seen = await until(() => first.events("notification.created")[0]);
    first.close();
    await mentionAgent(w, path, "two");
    const back = await connect({ api_access_token: w.agent.token, since: String(seen.id) });
    const replayed = await until(() => back.events("notification.created")[0]);
    expect(replayed.data.notification.push_message_body).toBe("Admin: @Agent two");
    const adminBack = await connect({ api_access_token: w.admin.token, since: String(seen.id - 1) });
    const barrier = await as(w.admin).post(`${path}/messages`, { content: "barrier" });
    await until(() => adminBack.events("message.created").some((f) => f.data.id === barrier.body.id));
    expect(adminBack.events("notification.created")).toEqual([]);
    back.close();
    adminBack.close();
  });

  it("declares notification events as personal: heard and replayed by their recipient, never a webhook", () => {
    const personal = ["notification_created", "notification_updated", "notification_deleted"];
    expect(heardBy("recipient", { replayed: true })).toEqual(personal);
    expect(heardBy("agent").filter((n) => personal.includes(n))).toEqual([]);
    expect(EVENT_NAMES.filter((n) => personal.includes(n))).toEqual([]);
    for (const name of personal) expect(EVENTS[name as keyof typeof EVENTS].audiences).toEqual(["recipient"]);
  });

  it("sends no webhook for a notification: no webhook may subscribe to one", async () => {
    const w = await createWorld();
    const refused = await as(w.admin).post(`${w.base}/webhooks`, {
      url: "https://hooks.example.com/n",
      subscriptions: ["notification_created"],
    });
    expectError(refused, 422);
    const { path } = await createConversation(w);
    await mentionAgent(w, path);
    const rows = await env.DB.prepare(
      "select count(*) as n from deliveries d join events e on e.id = d.event_id " +
        "where e.account_id = ? and e.event like 'notification_%'",
    )
      .bind(w.account.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
    const events = await env.DB.prepare("select stream from events where account_id = ? and event = ?")
      .bind(w.account.id, "notification_created")
      .all<{ stream: string }>();
    expect(events.results.map((e) => e.stream)).toEqual([`user:${w.agent.id}`]);
  });
});
