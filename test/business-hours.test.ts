import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { inboxes } from "../src/db/schema";
import { DEFAULT_WORKING_HOURS } from "../src/lib/business-hours";
import { api } from "./helpers/api";
import { as, createConversation, createWorld, expectError, testDb, type World } from "./helpers/factories";
import { receiver } from "./helpers/receiver";
import { client, ok, startConversation } from "./helpers/public-client";

const AWAY = "We are closed right now and will answer when we open.";
const DAYS = [0, 1, 2, 3, 4, 5, 6];
const closedAllDay = (day_of_week: number) => ({ day_of_week, closed_all_day: true });
const openAllDay = (day_of_week: number) => ({ day_of_week, open_all_day: true });
/** Schedules that are closed, or open, whatever the time is when the test runs. */
const ALWAYS_CLOSED = DAYS.map(closedAllDay);
const ALWAYS_OPEN = DAYS.map(openAllDay);

async function hours(w: World, fields: Record<string, unknown>) {
  const res = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, {
    working_hours_enabled: true,
    out_of_office_message: AWAY,
    ...fields,
  });
  if (res.status !== 200) throw new Error(`inbox update failed: ${res.text}`);
  return res.body;
}

const templates = (conversationDisplayId: number, accountId: number) =>
  env.DB.prepare(
    `select m.id, m.content, m.sender_type, m.content_attributes, m.created_at from messages m
     join conversations c on c.id = m.conversation_id
     where c.account_id = ? and c.display_id = ? and m.message_type = 'template' order by m.id`,
  )
    .bind(accountId, conversationDisplayId)
    .all<{ id: number; content: string; sender_type: null; content_attributes: string; created_at: number }>()
    .then((r) => r.results.map((m) => ({ ...m, content_attributes: JSON.parse(m.content_attributes) })));

const templateEvents = (accountId: number) =>
  env.DB.prepare(
    `select count(*) n from events e join messages m on m.id = e.message_id
     where e.account_id = ? and e.event = 'message_created' and m.message_type = 'template'`,
  )
    .bind(accountId)
    .first<{ n: number }>()
    .then((r) => r?.n);

describe("working hours: the schedule", () => {
  it("gives a new inbox Chatwoot's week (Monday to Friday 9–17) and returns it on GET and the client API", async () => {
    const w = await createWorld();
    const created = await as(w.admin).post(`${w.base}/inboxes`, { name: "Hours" });
    expect(created.body.working_hours).toEqual(DEFAULT_WORKING_HOURS);
    expect(created.body.working_hours[1]).toEqual({
      day_of_week: 1,
      closed_all_day: false,
      open_all_day: false,
      open_hour: 9,
      open_minutes: 0,
      close_hour: 17,
      close_minutes: 0,
    });
    const shown = await as(w.admin).get(`${w.base}/inboxes/${created.body.id}`);
    expect(shown.body.working_hours).toEqual(DEFAULT_WORKING_HOURS);
    const pub = await client(created.body.inbox_identifier).get("");
    expect(pub.body).toMatchObject({ working_hours: DEFAULT_WORKING_HOURS, timezone: "UTC" });
    // A schedule never stored (an inbox from before business hours) reads as the default week.
    await env.DB.prepare("update inboxes set working_hours = '[]' where id = ?").bind(created.body.id).run();
    expect((await as(w.admin).get(`${w.base}/inboxes/${created.body.id}`)).body.working_hours).toEqual(
      DEFAULT_WORKING_HOURS,
    );
  });

  it("stores the days sent, keeps the others, and shows the real schedule to members", async () => {
    const w = await createWorld();
    const created = await as(w.admin).post(`${w.base}/inboxes`, {
      name: "Weekend shop",
      timezone: "Europe/Berlin",
      working_hours: [
        { day_of_week: 6, open_hour: 10, open_minutes: 30, close_hour: 14, close_minutes: 0 },
        openAllDay(0),
      ],
    });
    expect(created.status).toBe(200);
    const week = created.body.working_hours;
    expect(week.map((d: { day_of_week: number }) => d.day_of_week)).toEqual(DAYS);
    expect(week[6]).toMatchObject({ closed_all_day: false, open_hour: 10, open_minutes: 30, close_hour: 14 });
    expect(week[0]).toMatchObject({
      open_all_day: true,
      open_hour: 0,
      open_minutes: 0,
      close_hour: 23,
      close_minutes: 59,
    });
    expect(week[3]).toEqual(DEFAULT_WORKING_HOURS[3]);

    const patched = await as(w.admin).patch(`${w.base}/inboxes/${created.body.id}`, {
      inbox: {
        working_hours: [closedAllDay(6), { day_of_week: 2, open_hour: "8", close_hour: 12, close_minutes: 15 }],
      },
    });
    expect(patched.status).toBe(200);
    const after = patched.body.working_hours;
    expect(after[6]).toEqual({ ...DEFAULT_WORKING_HOURS[6] });
    expect(after[2]).toMatchObject({ open_hour: 8, open_minutes: 0, close_hour: 12, close_minutes: 15 });
    expect(after[0]).toEqual(week[0]);
    expect(after[3]).toEqual(week[3]);

    const member = await as(w.admin).post(`${w.base}/inbox_members`, {
      inbox_id: created.body.id,
      user_ids: [w.agent.id],
    });
    expect(member.status).toBe(200);
    const seen = await as(w.agent).get(`${w.base}/inboxes/${created.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ working_hours: after, timezone: "Europe/Berlin" });
  });
});

describe("working hours: validation", () => {
  const bad: [string, unknown, string][] = [
    ["a day twice", [openAllDay(1), closedAllDay(1)], "working_hours.1.day_of_week"],
    ["a weekday out of range", [{ day_of_week: 7, open_all_day: true }], "working_hours.0.day_of_week"],
    ["an hour out of range", [{ day_of_week: 1, open_hour: 9, close_hour: 24 }], "working_hours.0.close_hour"],
    [
      "minutes out of range",
      [{ day_of_week: 1, open_hour: 9, open_minutes: 60, close_hour: 17 }],
      "working_hours.0.open_minutes",
    ],
    ["a close before the opening", [{ day_of_week: 1, open_hour: 17, close_hour: 9 }], "working_hours.0.close_hour"],
    [
      "a close at the opening",
      [{ day_of_week: 1, open_hour: 9, open_minutes: 30, close_hour: 9, close_minutes: 30 }],
      "working_hours.0.close_hour",
    ],
    ["an open day without hours", [{ day_of_week: 1 }], "working_hours.0.open_hour"],
    [
      "open and closed all day",
      [{ day_of_week: 1, open_all_day: true, closed_all_day: true }],
      "working_hours.0.open_all_day",
    ],
    ["not a list", { monday: "9-17" }, "working_hours"],
    ["eight days", [...ALWAYS_OPEN, openAllDay(1)], "working_hours"],
  ];

  it.each(bad)("refuses %s with 422, naming the field, and changes nothing", async (_what, working_hours, field) => {
    const w = await createWorld();
    const res = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { working_hours, greeting_enabled: true });
    expectError(res, 422);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    const row = await env.DB.prepare("select working_hours, greeting_enabled from inboxes where id = ?")
      .bind(w.inbox.id)
      .first<{ working_hours: string; greeting_enabled: number }>();
    expect({ ...row, working_hours: JSON.parse(row!.working_hours) }).toEqual({
      working_hours: DEFAULT_WORKING_HOURS,
      greeting_enabled: 0,
    });
  });

  it("takes only IANA time zones", async () => {
    const w = await createWorld();
    for (const timezone of ["Mars/Olympus", "+01:00", "", "Europe/"]) {
      const res = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { timezone });
      expectError(res, 422);
      expect(res.body.details).toEqual([expect.objectContaining({ field: "timezone" })]);
    }
    const ok = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { timezone: "America/New_York" });
    expect(ok.body.timezone).toBe("America/New_York");
  });

  it("is changed by administrators only; another account's inbox answers 404", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const body = { working_hours: ALWAYS_CLOSED, working_hours_enabled: true };
    expectError(await as(w.agent).patch(`${w.base}/inboxes/${w.inbox.id}`, body), 403);
    expectError(await as(w.admin).patch(`${w.base}/inboxes/${other.inbox.id}`, body), 404);
    const [row] = await testDb().select().from(inboxes).where(eq(inboxes.id, other.inbox.id));
    expect(row.workingHours).toEqual(DEFAULT_WORKING_HOURS);
    expect(row.workingHoursEnabled).toBe(false);
  });
});

describe("out of office", () => {
  it("answers a contact's message outside the hours once per closed period, like an agent's reply", async () => {
    const w = await createWorld();
    const hook = receiver("away");
    await testDb().update(inboxes).set({ webhookUrl: hook.url }).where(eq(inboxes.id, w.inbox.id));
    await hours(w, { working_hours: ALWAYS_CLOSED });
    const c = client(w.inbox.identifier);
    const { conversation, path } = await startConversation(c);

    const first = ok(await c.post(`${path}/messages`, { content: "Anyone there?" }));
    ok(await c.post(`${path}/messages`, { content: "Hello?" }));
    const sent = await templates(conversation.id, w.account.id);
    expect(sent).toEqual([
      expect.objectContaining({
        content: AWAY,
        sender_type: null,
        content_attributes: { auto_reply: "out_of_office", closed_since: expect.any(Number) },
      }),
    ]);
    // Never open: one closed period per day, from its midnight (UTC here).
    const created = new Date(sent[0].created_at);
    const midnight = Date.UTC(created.getUTCFullYear(), created.getUTCMonth(), created.getUTCDate()) / 1000;
    expect(sent[0].content_attributes.closed_since).toBe(midnight);
    expect(sent[0].id).toBeGreaterThan(first.id);
    expect(await templateEvents(w.account.id)).toBe(1);

    const got = await vi.waitFor(
      async () => {
        const bodies = (await hook.requests()).map((r) => JSON.parse(r.body));
        const reply = bodies.find((b) => b.event === "message_created" && b.message_type === "template");
        if (!reply) throw new Error("no out-of-office webhook yet");
        return reply;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(got).toMatchObject({ content: AWAY, sender: null, conversation: { id: conversation.id } });

    const thread = ok(await c.get(`${path}/messages`));
    expect(thread.map((m: { message_type: number; content: string }) => [m.message_type, m.content])).toEqual([
      [0, "Anyone there?"],
      [3, AWAY],
      [0, "Hello?"],
    ]);
  });

  it("answers again in a new closed period", async () => {
    const w = await createWorld();
    await hours(w, { working_hours: ALWAYS_CLOSED });
    const c = client(w.inbox.identifier);
    const { conversation, path } = await startConversation(c);
    ok(await c.post(`${path}/messages`, { content: "first" }));
    const [answer] = await templates(conversation.id, w.account.id);
    // As if that answer had been for yesterday's closed period.
    const yesterday = answer.content_attributes.closed_since - 86_400;
    await env.DB.prepare(
      "update messages set content_attributes = json_set(content_attributes, '$.closed_since', ?) where id = ?",
    )
      .bind(yesterday, answer.id)
      .run();
    ok(await c.post(`${path}/messages`, { content: "next day" }));
    const sent = await templates(conversation.id, w.account.id);
    expect(sent.map((m) => m.content_attributes.closed_since)).toEqual([
      yesterday,
      answer.content_attributes.closed_since,
    ]);
    expect(await templateEvents(w.account.id)).toBe(2);
  });

  it("sends one answer to concurrent messages", async () => {
    const w = await createWorld();
    await hours(w, { working_hours: ALWAYS_CLOSED });
    const c = client(w.inbox.identifier);
    const { conversation, path } = await startConversation(c);
    const results = await Promise.all(["a", "b", "c", "d"].map((content) => c.post(`${path}/messages`, { content })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await templates(conversation.id, w.account.id)).length).toBe(1);
    expect(await templateEvents(w.account.id)).toBe(1);
  });

  it("answers incoming messages the Application API relays, with or without files, never an agent's", async () => {
    const w = await createWorld();
    await hours(w, { working_hours: ALWAYS_CLOSED });
    const { conversation, path } = await createConversation(w);
    expect((await as(w.agent).post(`${path}/messages`, { content: "Agent note" })).status).toBe(200);
    expect(await templates(conversation.id, w.account.id)).toEqual([]);
    const relayed = await as(w.admin).post(`${path}/messages`, {
      content: "From the contact",
      message_type: "incoming",
    });
    expect(relayed.status).toBe(200);
    expect((await templates(conversation.id, w.account.id)).length).toBe(1);

    const second = await createConversation(w);
    const form = new FormData();
    form.set("content", "Here is the receipt");
    form.set("message_type", "incoming");
    form.append("attachments[]", new File(["receipt"], "receipt.txt", { type: "text/plain" }));
    expect((await api("POST", `${second.path}/messages`, form, { token: w.admin.token })).status).toBe(200);
    expect(await templates(second.conversation.id, w.account.id)).toEqual([expect.objectContaining({ content: AWAY })]);
  });

  it("stays silent while open, when disabled, or without a message", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const cases: Record<string, unknown>[] = [
      { working_hours: ALWAYS_OPEN },
      { working_hours: ALWAYS_CLOSED, working_hours_enabled: false },
      { working_hours: ALWAYS_CLOSED, out_of_office_message: "" },
    ];
    for (const fields of cases) {
      await hours(w, fields);
      const { conversation, path } = await startConversation(c);
      ok(await c.post(`${path}/messages`, { content: "hi" }));
      expect(await templates(conversation.id, w.account.id)).toEqual([]);
    }
    expect(await templateEvents(w.account.id)).toBe(0);
  });

  it("answers nothing for a message refused (another session's conversation)", async () => {
    const w = await createWorld();
    await hours(w, { working_hours: ALWAYS_CLOSED });
    const c = client(w.inbox.identifier);
    const mine = await startConversation(c);
    const theirs = await startConversation(c, { name: "Other" });
    const res = await c.post(`/contacts/${mine.sourceId}/conversations/${theirs.conversation.id}/messages`, {
      content: "sneaky",
    });
    expectError(res, 404);
    expect(await templates(theirs.conversation.id, w.account.id)).toEqual([]);
    expect(await templateEvents(w.account.id)).toBe(0);
  });
});
