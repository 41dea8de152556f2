import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { events, webhooks } from "../src/db/schema";
import { EVENT_NAMES } from "../src/events/registry";
import { newSigningSecret } from "../src/services/inboxes";
import { feedStatements } from "../src/services/event-feed";
import {
  as,
  createContact,
  createConversation,
  createWorld,
  expectError,
  testDb,
  type World,
} from "./helpers/factories";
import { receiver } from "./helpers/receiver";
import type { ApiResponse } from "./helpers/api";

type FeedItem = {
  id: number;
  event: string;
  created_at: number;
  inbox_id: number | null;
  conversation_id: number | null;
  body: Record<string, any> | null;
};

const maxEventId = async () =>
  (await env.DB.prepare("select coalesce(max(id), 0) id from events").first<{ id: number }>())!.id;

/** The account's webhook events after `after`, as the table holds them (personal events are never in the feed). */
async function tableIds(accountId: number, after: number, where = "1") {
  const names = EVENT_NAMES.map((n) => `'${n}'`).join(",");
  const rows = await env.DB.prepare(
    `select id from events where account_id = ? and id > ? and event in (${names}) and ${where} order by id`,
  )
    .bind(accountId, after)
    .all<{ id: number }>();
  return rows.results.map((r) => r.id);
}

/** Reads the feed from `after` until a page says there is no more; every page's items, in order. */
async function readAll(caller: { token: string }, base: string, after: number, query = "", limit = 50) {
  const items: FeedItem[] = [];
  let cursor = after;
  for (let pages = 0; pages < 100; pages++) {
    const res = await as(caller).get(`${base}/events?after=${cursor}&limit=${limit}${query}`);
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.payload);
    cursor = res.body.meta.next_after;
    if (!res.body.meta.has_more) return { items, cursor };
  }
  throw new Error("the feed never ended");
}

const ids = (items: FeedItem[]) => items.map((i) => i.id);

async function post(w: World, path: string, content: string) {
  const res = await as(w.agent).post(`${path}/messages`, { content });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe("change feed: order and pagination", () => {
  it("lists the account's events oldest first, paged by cursor, with has_more, next_after and a Link", async () => {
    const w = await createWorld();
    const before = await maxEventId();
    const { path, conversation } = await createConversation(w);
    for (const content of ["one", "two", "three", "four"]) await post(w, path, content);

    const first = await as(w.admin).get(`${w.base}/events?after=${before}&limit=3`);
    expect(first.status).toBe(200);
    const page: FeedItem[] = first.body.payload;
    expect(page).toHaveLength(3);
    expect(ids(page)).toEqual([...ids(page)].sort((a, b) => a - b));
    expect(page[0].id).toBeGreaterThan(before);
    expect(first.body.meta).toEqual({ has_more: true, next_after: page[2].id });
    expect(first.headers.get("link")).toBe(`<${w.base}/events?after=${page[2].id}&limit=3>; rel="next"`);
    // Contact first (no inbox), then the conversation (its inbox and display id).
    expect(page[0]).toMatchObject({ event: "contact_created", inbox_id: null, conversation_id: null });
    expect(page[1]).toMatchObject({
      event: "conversation_created",
      inbox_id: w.inbox.id,
      conversation_id: conversation.id,
    });
    expect(page[1].body).toMatchObject({ event: "conversation_created", id: conversation.id, sequence: 1 });
    expect(typeof page[1].created_at).toBe("number");

    const rest = await readAll(w.admin, w.base, page[2].id);
    const messages = [...page, ...rest.items].filter((i) => i.event === "message_created");
    expect(messages.map((m) => m.body?.content)).toEqual(["one", "two", "three", "four"]);
    expect([...ids(page), ...ids(rest.items)]).toEqual(await tableIds(w.account.id, before));

    // The last page has no Link; its cursor is where the table stands, and polling with it finds nothing yet.
    const last = await as(w.admin).get(`${w.base}/events?after=${rest.cursor}`);
    expect(last.body).toEqual({ payload: [], meta: { has_more: false, next_after: rest.cursor } });
    expect(last.headers.get("link")).toBeNull();
    expect(rest.cursor).toBe(await maxEventId());
    await post(w, path, "five");
    const next = await as(w.admin).get(`${w.base}/events?after=${rest.cursor}`);
    expect(next.body.payload.map((i: FeedItem) => i.body?.content)).toEqual(["five"]);
  });

  it("without after starts at the oldest event kept, 50 a page", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    for (let i = 0; i < 3; i++) await post(w, path, `m${i}`);
    const res = await as(w.admin).get(`${w.base}/events`);
    expect(res.status).toBe(200);
    expect(ids(res.body.payload)).toEqual(await tableIds(w.account.id, 0));
    expect(res.body.payload[0]).toMatchObject({ event: "inbox_created", inbox_id: w.inbox.id });
    expect(res.body.meta.has_more).toBe(false);

    // More than 50: the default page is 50, and limit goes up to 200.
    const { contact } = await createContact(w);
    const bulk = await env.DB.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 60)
       insert into events (uid, account_id, contact_id, event, stream, sequence, data, created_at)
       select 'evt_feed_' || ?1 || '_' || i, ?1, ?2, 'contact_updated', 'contact:' || ?2, 100 + i, '{}', ?3 from n`,
    )
      .bind(w.account.id, contact.id, Date.now())
      .run();
    expect(bulk.success).toBe(true);
    const page = await as(w.admin).get(`${w.base}/events`);
    expect(page.body.payload).toHaveLength(50);
    expect(page.body.meta.has_more).toBe(true);
    const big = await as(w.admin).get(`${w.base}/events?limit=200`);
    expect(big.body.payload.length).toBe((await tableIds(w.account.id, 0)).length);
    expect(big.body.meta.has_more).toBe(false);
  });

  it("returns every event exactly once while writes go on between and during page reads", async () => {
    const w = await createWorld();
    const before = await maxEventId();
    const convs = await Promise.all([createConversation(w), createConversation(w)]);
    const seen: FeedItem[] = [];
    let cursor = before;
    let writes = 0;
    // Writes in the background (two conversations at once), pages read meanwhile, 2 events a page.
    const writer = (async () => {
      for (let i = 0; i < 12; i++) {
        await Promise.all(convs.map((c, k) => post(w, c.path, `w${i}-${k}`)));
        writes++;
      }
    })();
    let pages = 0;
    while (writes < 12 || pages === 0) {
      const res = await as(w.admin).get(`${w.base}/events?after=${cursor}&limit=2`);
      expect(res.status).toBe(200);
      seen.push(...res.body.payload);
      cursor = res.body.meta.next_after;
      pages++;
      // And one write between two page reads, from this loop.
      if (pages % 3 === 0) await post(w, convs[0].path, `between-${pages}`);
    }
    await writer;
    seen.push(...(await readAll(w.admin, w.base, cursor, "", 2)).items);

    expect(pages).toBeGreaterThan(3);
    const got = ids(seen);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(await tableIds(w.account.id, before));
    expect(seen.filter((i) => i.event === "message_created")).toHaveLength(24 + Math.floor(pages / 3));
  }, 60_000);
});

describe("change feed: bodies", () => {
  it("gives each event the body its webhook delivery carried, byte for byte once sent", async () => {
    const w = await createWorld();
    const r = receiver("feed");
    await testDb()
      .insert(webhooks)
      .values({
        accountId: w.account.id,
        url: r.url,
        subscriptions: [...EVENT_NAMES] as never,
        secret: newSigningSecret(),
      });
    const before = await maxEventId();
    const { path } = await createConversation(w);
    const reply = await post(w, path, "Your order shipped");
    await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" });
    const expected = await tableIds(w.account.id, before);
    const received = await vi.waitFor(
      async () => {
        const got = await r.requests();
        if (got.length < expected.length) throw new Error(`${got.length} of ${expected.length} delivered`);
        return got;
      },
      { timeout: 15_000, interval: 100 },
    );
    const { items } = await readAll(w.admin, w.base, before);
    expect(ids(items)).toEqual(expected);
    const sent = received.map((x) => JSON.parse(x.body));
    for (const item of items) {
      const delivered = sent.filter((b) => b.event === item.event && b.sequence === item.body?.sequence);
      expect(delivered, item.event).toHaveLength(1);
      expect(item.body).toEqual(delivered[0]);
    }
    const message = items.find((i) => i.event === "message_created");
    expect(message?.body).toMatchObject({ id: reply.id, content: "Your order shipped" });

    // The stored body wins over the subject's current state: it is what the webhook got.
    await env.DB.prepare("update messages set content = 'edited behind the scenes' where id = ?").bind(reply.id).run();
    const again = await as(w.admin).get(`${w.base}/events/${message!.id}`);
    expect(again.body.payload.body).toEqual(message!.body);
  }, 30_000);

  it("renders a body no webhook was sent as the consumer would, and null once its subject is gone", async () => {
    const w = await createWorld();
    const before = await maxEventId();
    const { contact } = await createContact(w, { name: "Renders Late" });
    const [created] = await tableIds(w.account.id, before);
    const [row] = await testDb().select().from(events).where(eq(events.id, created));
    expect(row.payload).toBeNull();
    const shown = await as(w.admin).get(`${w.base}/events/${created}`);
    expect(shown.body.payload.body).toMatchObject({
      event: "contact_created",
      sequence: 1,
      id: contact.id,
      name: "Renders Late",
      account: { id: w.account.id },
    });
    // Its subject deleted: no body can be rendered (the consumer cancels such a delivery); the event stays listed.
    await env.DB.prepare("delete from contacts where id = ?").bind(contact.id).run();
    const gone = await as(w.admin).get(`${w.base}/events/${created}`);
    expect(gone.status).toBe(200);
    expect(gone.body.payload).toMatchObject({ id: created, event: "contact_created", body: null });
  });
});

describe("change feed: filters", () => {
  it("filters by types (types, comma list, types[]) and by inbox", async () => {
    const w = await createWorld();
    const before = await maxEventId();
    const { path } = await createConversation(w);
    await post(w, path, "hello");
    await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" });
    const names = async (query: string) => {
      const res = await as(w.admin).get(`${w.base}/events?after=${before}${query}`);
      expect(res.status, res.text).toBe(200);
      return (res.body.payload as FeedItem[]).map((i) => i.event);
    };
    expect(await names("&types=message_created")).toEqual(["message_created"]);
    expect(await names("&types=message_created,contact_created")).toEqual(["contact_created", "message_created"]);
    expect(await names("&types=message_created&types=conversation_status_changed")).toEqual([
      "message_created",
      "conversation_status_changed",
    ]);
    expect(await names("&types[]=conversation_created&types[]=message_created")).toEqual([
      "conversation_created",
      "message_created",
    ]);
    expect(await names("&types[]=conversation_created&types=contact_created")).toEqual([
      "contact_created",
      "conversation_created",
    ]);
    const inInbox = await as(w.admin).get(`${w.base}/events?after=${before}&inbox_id=${w.inbox.id}`);
    expect(ids(inInbox.body.payload)).toEqual(await tableIds(w.account.id, before, `inbox_id = ${w.inbox.id}`));
    expect((inInbox.body.payload as FeedItem[]).map((i) => i.event).slice(0, 3)).toEqual([
      "conversation_created",
      "message_created",
      "conversation_status_changed",
    ]);
    expect(await names(`&inbox_id=${w.otherInbox.id}`)).toEqual([]);
    expect(await names(`&inbox_id=${w.inbox.id}&types=contact_created`)).toEqual([]);
    // The second inbox's own creation, from the start.
    const other = await as(w.admin).get(`${w.base}/events?inbox_id=${w.otherInbox.id}`);
    expect((other.body.payload as FeedItem[]).map((i) => [i.event, i.inbox_id])).toEqual([
      ["inbox_created", w.otherInbox.id],
    ]);
  });

  it("refuses bad parameters with 422 naming the field", async () => {
    const w = await createWorld();
    const cases: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=ten", "limit"],
      ["after=-1", "after"],
      ["after=1.5", "after"],
      ["after=abc", "after"],
      ["types=message_created,nope", "types"],
      ["types[]=notification_created", "types[]"],
      ["inbox_id=-1", "inbox_id"],
      ["inbox_id=abc", "inbox_id"],
    ];
    for (const [query, field] of cases) {
      const res = await as(w.admin).get(`${w.base}/events?${query}`);
      expectError(res, 422);
      expect(
        res.body.details.map((d: { field: string }) => d.field),
        query,
      ).toContain(field);
    }
    const unknown = await as(w.admin).get(`${w.base}/events?types=nope`);
    expect(unknown.body.error).toMatch(/unknown event: nope/);
    expectError(await as(w.admin).get(`${w.base}/events/abc`), 422);
  });
});

describe("change feed: who sees what", () => {
  async function world() {
    const w = await createWorld();
    const before = await maxEventId();
    const { path } = await createConversation(w);
    await post(w, path, "in the agent's inbox");
    // The second inbox (the administrator's alone): a conversation there.
    const { contact } = await createContact(w, { inbox_id: w.otherInbox.id });
    const elsewhere = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: contact.id,
    });
    expect(elsewhere.status).toBe(200);
    // A personal event (a notification of the agent): theirs on the socket, never the feed's.
    await env.DB.prepare(
      `insert into events (uid, account_id, event, stream, sequence, data, created_at)
       values ('evt_personal_' || ?1, ?1, 'notification_created', 'user:' || ?2, 1,
         json_object('recipient_id', ?2), ?3)`,
    )
      .bind(w.account.id, w.agent.id, Date.now())
      .run();
    return { w, before };
  }

  const seenBy = async (caller: { token: string }, w: World, after: number) =>
    (await readAll(caller, w.base, after)).items;

  it("shows admins every webhook event, agents their inboxes' and contact events, nobody notifications", async () => {
    const { w, before } = await world();
    const all = await tableIds(w.account.id, before);
    const admin = await seenBy(w.admin, w, before);
    expect(ids(admin)).toEqual(all);
    expect(admin.map((i) => i.event)).not.toContain("notification_created");

    const agent = await seenBy(w.agent, w, before);
    const theirs = await tableIds(w.account.id, before, `(inbox_id is null or inbox_id = ${w.inbox.id})`);
    expect(ids(agent)).toEqual(theirs);
    expect(agent.some((i) => i.inbox_id === w.otherInbox.id)).toBe(false);
    expect(agent.filter((i) => i.inbox_id === null).map((i) => i.event)).toEqual([
      "contact_created",
      "contact_created",
    ]);
    expect(agent.map((i) => i.event)).toContain("message_created");

    // An agent in no inbox: contact events only. Added to the inbox, they see its events at once.
    const outsider = await seenBy(w.outsider, w, before);
    expect(outsider.map((i) => i.event)).toEqual(["contact_created", "contact_created"]);
    await env.DB.prepare("insert into inbox_members (inbox_id, user_id, created_at) values (?, ?, 0)")
      .bind(w.otherInbox.id, w.outsider.id)
      .run();
    const joined = await seenBy(w.outsider, w, before);
    expect(joined.filter((i) => i.inbox_id === w.otherInbox.id).map((i) => i.event)).toEqual(["conversation_created"]);

    // One event: the same rule (404 for an event the caller does not see).
    const hidden = admin.find((i) => i.inbox_id === w.otherInbox.id)!;
    expect((await as(w.admin).get(`${w.base}/events/${hidden.id}`)).status).toBe(200);
    expectError(await as(w.agent).get(`${w.base}/events/${hidden.id}`), 404, "Event not found");
    const [notification] = (
      await env.DB.prepare("select id from events where account_id = ? and event = 'notification_created'")
        .bind(w.account.id)
        .all<{ id: number }>()
    ).results;
    expectError(await as(w.agent).get(`${w.base}/events/${notification.id}`), 404, "Event not found");
  });

  it("answers another account's events and inboxes like missing ones", async () => {
    const { w, before } = await world();
    const other = await createWorld("Other");
    const theirs = await createConversation(other);
    await post(other, theirs.path, "not yours");
    const [foreignId] = (await tableIds(other.account.id, 0)).slice(-1);

    const missing = await as(w.admin).get(`${w.base}/events/${(await maxEventId()) + 1000}`);
    expectError(missing, 404, "Event not found");
    const foreign = await as(w.admin).get(`${w.base}/events/${foreignId}`);
    expect([foreign.status, foreign.body]).toEqual([missing.status, missing.body]);
    // Another account's inbox filters to nothing, as the conversation list does.
    const inboxFilter = await as(w.admin).get(`${w.base}/events?inbox_id=${other.inbox.id}`);
    expect(inboxFilter.body.payload).toEqual([]);
    // The other account's feed is not this administrator's, and their events never show in this one.
    expectError(await as(w.admin).get(`${other.base}/events`), 404, "Account not found");
    const mine = await seenBy(w.admin, w, before);
    expect(mine.some((i) => i.id === foreignId)).toBe(false);
    expectError(await as({ token: "not-a-token" }).get(`${w.base}/events`), 401);
  });
});

describe("change feed: cost", () => {
  const roundTrips = (res: ApiResponse) =>
    Number((res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips"/)?.[1]);

  it("answers a page, or one event, in one D1 round trip, the token check included", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    await post(w, path, "cost");
    const page = await as(w.agent).get(`${w.base}/events?types=message_created,contact_created`);
    expect(page.body.payload.length).toBeGreaterThan(1);
    expect(roundTrips(page)).toBe(1);
    expect(roundTrips(await as(w.admin).get(`${w.base}/events/${page.body.payload[0].id}`))).toBe(1);
  });

  it("reads a page through the account's (account_id, id) index", async () => {
    const db = testDb();
    const [page] = feedStatements(db, 1, sql`(select 2)`, { after: 10, limit: 51, inboxId: 3 });
    const { sql: text, params } = page.toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
      .bind(...params)
      .all<{ detail: string }>();
    const lines = plan.results.map((r) => r.detail);
    expect(lines.some((l) => /SEARCH events USING INDEX events_account_idx \(account_id=\? AND id>\?\)/.test(l))).toBe(
      true,
    );
    expect(lines.filter((l) => /^SCAN events/.test(l))).toEqual([]);
  });
});
