import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { webhooks } from "../src/db/schema";
import { countingD1, type D1Stats } from "../src/lib/d1-counter";
import { newSigningSecret } from "../src/services/inboxes";
import { PRUNE_CHUNK, pruneRetention, retentionDays, retentionStatements } from "../src/services/retention";
import { as, createContact, createConversation, createWorld, expectError, testDb, unique } from "./helpers/factories";
import { connect, until } from "./helpers/cable";

const DAY = 24 * 60 * 60_000;

/**
 * Pruning is the database's, not one account's: it deletes a prefix of ids. Each test prunes at a
 * time of its own, later than every earlier test's, so whatever earlier tests left (rows "young"
 * for their time) is old for it and never stands in front of its rows.
 */
let clock = Date.now() + 100 * DAY;
const later = () => {
  clock += 1000 * DAY;
  return clock;
};

const all = async <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...params)
      .all<T>()
  ).results;
const idsOf = async (table: string, where: string, ...params: unknown[]) =>
  (await all<{ id: number }>(`select id from ${table} where ${where} order by id`, ...params)).map((r) => r.id);
const minEventId = async () => (await all<{ id: number }>("select min(id) id from events"))[0].id;

/** `count` contact_updated events of the account written at `createdAt`; their ids. */
async function insertEvents(accountId: number, count: number, createdAt: number, contactId: number | null = null) {
  const tag = unique("ret");
  await env.DB.prepare(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?1)
     insert into events (uid, account_id, contact_id, event, stream, sequence, data, created_at)
     select 'evt_' || ?2 || '_' || i, ?3, ?4, 'contact_updated', 'bulk:' || ?2 || ':' || i, 1, '{}', ?5 from n`,
  )
    .bind(count, tag, accountId, contactId, createdAt)
    .run();
  return idsOf("events", "uid like ?", `evt_${tag}_%`);
}

async function insertDelivery(
  accountId: number,
  eventId: number,
  webhookId: number | null,
  status: string,
  at: number,
) {
  const row = await env.DB.prepare(
    `insert into deliveries (uid, account_id, event_id, webhook_id, status, attempts, created_at, updated_at)
     values (?, ?, ?, ?, ?, 1, ?, ?) returning id`,
  )
    .bind(unique("msg"), accountId, eventId, webhookId, status, at, at)
    .first<{ id: number }>();
  return row!.id;
}

async function seedWebhook(accountId: number) {
  const [hook] = await testDb()
    .insert(webhooks)
    .values({
      accountId,
      url: `https://hooks.example.com/${unique("r")}`,
      subscriptions: ["message_created"],
      secret: newSigningSecret(),
    })
    .returning();
  return hook;
}

describe("retention: what is kept", () => {
  it("reads the retention periods from the environment, 30 days by default", () => {
    expect(retentionDays(env.EVENT_RETENTION_DAYS)).toBe(30);
    expect(retentionDays("7")).toBe(7);
    for (const bad of [undefined, "", "0", "-3", "soon"]) expect(retentionDays(bad)).toBe(30);
  });

  it("deletes old events, finished deliveries, spent keys and sessions, and keeps the rest", async () => {
    const now = later();
    const w = await createWorld();
    const hook = await seedWebhook(w.account.id);
    const oldEvents = await insertEvents(w.account.id, 3, now - 31 * DAY);
    const youngEvents = await insertEvents(w.account.id, 2, now - 29 * DAY);
    const oldDelivered = await insertDelivery(w.account.id, oldEvents[0], hook.id, "delivered", now - 31 * DAY);
    const oldFailed = await insertDelivery(w.account.id, oldEvents[1], hook.id, "dead", now - 31 * DAY);
    const youngDelivery = await insertDelivery(w.account.id, youngEvents[0], hook.id, "delivered", now - 29 * DAY);

    const key = (scope: string, expiresAt: number) =>
      env.DB.prepare(
        "insert into idempotency_keys (scope, request_hash, owner, status, locked_until, expires_at, created_at) " +
          "values (?, 'h', 'o', 200, ?, ?, ?)",
      )
        .bind(scope, expiresAt, expiresAt, expiresAt - DAY)
        .run();
    const [expiredKey, liveKey] = [unique("expired"), unique("live")];
    await key(expiredKey, now - 1000);
    await key(liveKey, now + 1000);
    const session = (tag: string, expiresAt: number) =>
      env.DB.prepare(
        "insert into sessions (user_id, token_hash, api_token_hash, created_at, last_used_at, expires_at) " +
          "values (?, ?, ?, 0, 0, ?)",
      )
        .bind(w.agent.id, `t-${tag}`, `a-${tag}`, expiresAt)
        .run();
    const [expiredSession, liveSession] = [unique("s"), unique("s")];
    await session(expiredSession, now - 1000);
    await session(liveSession, now + DAY);

    const result = await pruneRetention(env, testDb(), now);
    expect(result.complete).toBe(true);

    expect(await idsOf("events", "id in (?, ?, ?, ?, ?)", ...oldEvents, ...youngEvents)).toEqual(youngEvents);
    // Everything written before them (the world's own events, at the real time) was older still.
    expect(await minEventId()).toBe(youngEvents[0]);
    expect(await idsOf("deliveries", "id in (?, ?, ?)", oldDelivered, oldFailed, youngDelivery)).toEqual([
      youngDelivery,
    ]);
    expect(
      (await all("select scope from idempotency_keys where scope in (?, ?)", expiredKey, liveKey)).map((r) => r.scope),
    ).toEqual([liveKey]);
    expect(
      (
        await all(
          "select token_hash from sessions where token_hash in (?, ?)",
          `t-${expiredSession}`,
          `t-${liveSession}`,
        )
      ).map((r) => r.token_hash),
    ).toEqual([`t-${liveSession}`]);
    expect(result.deleted.events).toBeGreaterThanOrEqual(3);
    expect(result.deleted.deliveries).toBe(2);
    expect(result.deleted.idempotencyKeys).toBe(1);
    expect(result.deleted.sessions).toBe(1);

    // Nothing more to do: a second run deletes nothing.
    const again = await pruneRetention(env, testDb(), now);
    expect(Object.values(again.deleted).every((n) => n === 0)).toBe(true);
  });

  it("keeps a pending delivery, its event and what follows them until it is finished", async () => {
    const now = later();
    const w = await createWorld();
    const hook = await seedWebhook(w.account.id);
    const [before, held, after] = await insertEvents(w.account.id, 3, now - 40 * DAY);
    const pending = await insertDelivery(w.account.id, held, hook.id, "pending", now - 40 * DAY);
    const finished = await insertDelivery(w.account.id, after, hook.id, "delivered", now - 40 * DAY);

    await pruneRetention(env, testDb(), now);
    expect(await idsOf("events", "id in (?, ?, ?)", before, held, after)).toEqual([held, after]);
    expect(await idsOf("deliveries", "id in (?, ?)", pending, finished)).toEqual([pending, finished]);
    expect(await minEventId()).toBe(held);

    // Its last attempt failed: finished, so it and everything behind it go on the next run.
    await env.DB.prepare("update deliveries set status = 'failed' where id = ?").bind(pending).run();
    await pruneRetention(env, testDb(), now);
    expect(await idsOf("events", "id in (?, ?, ?)", before, held, after)).toEqual([]);
    expect(await idsOf("deliveries", "id in (?, ?)", pending, finished)).toEqual([]);
  });

  it("deletes in bounded chunks: more than a chunk takes several statements; runs go on where one ends", async () => {
    const now = later();
    const w = await createWorld();
    const old = await insertEvents(w.account.id, 2 * PRUNE_CHUNK + 201, now - 31 * DAY);
    const stats: D1Stats = { roundTrips: 0, ms: 0 };
    const result = await pruneRetention(env, drizzle(countingD1(env.DB, stats)), now);
    expect(result.complete).toBe(true);
    expect(result.deleted.events).toBeGreaterThanOrEqual(old.length);
    // At least three statements for the events (500, 500, 201 and more), one or more for each other kind.
    expect(result.statements).toBeGreaterThanOrEqual(3 + 5);
    expect(stats.roundTrips).toBe(result.statements);
    expect(await idsOf("events", "id <= ?", old.at(-1))).toEqual([]);

    // A run with little to spend stops early and says so; the following runs finish the work.
    const more = await insertEvents(w.account.id, 350, later() - 31 * DAY);
    const at = clock;
    const short = { chunk: 100, maxStatements: 3 };
    const first = await pruneRetention(env, testDb(), at, short);
    expect(first).toMatchObject({ complete: false, statements: 3 });
    expect(first.deleted.events).toBe(200);
    let runs = 1;
    let deleted = first.deleted.events;
    for (let done = false; !done && runs < 20; runs++) {
      const next = await pruneRetention(env, testDb(), at, { chunk: 100, maxStatements: 6 });
      deleted += next.deleted.events;
      done = next.complete;
    }
    expect(deleted).toBeGreaterThanOrEqual(more.length);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThan(20);
    expect(await idsOf("events", "id <= ?", more.at(-1))).toEqual([]);
  });

  it("reaches the idempotency keys it deletes through their expires_at index", async () => {
    const statement = retentionStatements(env, testDb(), Date.now()).idempotencyKeys;
    const { sql: text, params } = statement.toSQL();
    const plan = (
      await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
        .bind(...params)
        .all<{ detail: string }>()
    ).results.map((r) => r.detail);
    expect(
      plan.some((l) => /idempotency_keys_expires_idx/.test(l)),
      plan.join("\n"),
    ).toBe(true);
  });
});

describe("retention: cursors older than what is kept", () => {
  /** A world whose first events were pruned and whose later ones are kept; and where the ids stand. */
  async function prunedWorld() {
    const now = later();
    const w = await createWorld();
    const { contact } = await createContact(w);
    const hook = await seedWebhook(w.account.id);
    const [oldEvent] = await insertEvents(w.account.id, 2, now - 31 * DAY, contact.id);
    const oldDelivery = await insertDelivery(w.account.id, oldEvent, hook.id, "delivered", now - 31 * DAY);
    const kept = await insertEvents(w.account.id, 3, now - DAY, contact.id);
    const keptDelivery = await insertDelivery(w.account.id, kept[0], hook.id, "delivered", now - DAY);
    await pruneRetention(env, testDb(), now);
    const through = kept[0] - 1;
    expect(await minEventId()).toBe(kept[0]);
    return { w, contact, hook, oldEvent, kept, through, oldDelivery, keptDelivery };
  }

  it("feed: 410 with the oldest id kept when the events after `after` are gone; 0 and later ones read on", async () => {
    const { w, oldEvent, kept, through } = await prunedWorld();
    for (const after of [oldEvent, through - 1]) {
      const gone = await as(w.admin).get(`${w.base}/events?after=${after}`);
      expectError(gone, 410);
      expect(gone.body).toMatchObject({
        code: "CURSOR_EXPIRED",
        oldest_available_id: kept[0],
        details: [{ field: "after" }],
      });
      expect(gone.body.error).toMatch(new RegExp(`oldest available is ${kept[0]}`));
    }
    // The cursor right below the oldest kept id misses nothing; nor does 0 (from the oldest kept).
    const atEdge = await as(w.admin).get(`${w.base}/events?after=${through}`);
    expect(atEdge.status).toBe(200);
    expect(atEdge.body.payload.map((e: { id: number }) => e.id)).toEqual(kept);
    const fromStart = await as(w.admin).get(`${w.base}/events?after=0`);
    expect(fromStart.body.payload.map((e: { id: number }) => e.id)).toEqual(kept);
    expect((await as(w.admin).get(`${w.base}/events?after=${kept[1]}`)).body.payload).toHaveLength(1);

    const one = await as(w.admin).get(`${w.base}/events/${oldEvent}`);
    expectError(one, 410);
    expect(one.body).toMatchObject({ code: "EVENT_EXPIRED", oldest_available_id: kept[0] });
    expect((await as(w.admin).get(`${w.base}/events/${kept[0]}`)).status).toBe(200);
  });

  it("feed: an emptied table still knows what it deleted (its AUTOINCREMENT counter)", async () => {
    const now = later();
    const w = await createWorld();
    await pruneRetention(env, testDb(), now);
    expect(await minEventId()).toBeNull();
    const [{ seq }] = await all<{ seq: number }>("select seq from sqlite_sequence where name = 'events'");
    expectError(await as(w.admin).get(`${w.base}/events?after=${seq - 1}`), 410);
    const empty = await as(w.admin).get(`${w.base}/events`);
    expect(empty.body).toEqual({ payload: [], meta: { has_more: false, next_after: seq } });
    expect((await as(w.admin).get(`${w.base}/events?after=${seq}`)).status).toBe(200);
  });

  it("delivery log: 410 for a cursor whose next deliveries were deleted; pages and later cursors read on", async () => {
    const { w, hook, oldDelivery, keptDelivery } = await prunedWorld();
    const log = `${w.base}/webhooks/${hook.id}/deliveries`;
    const minDelivery = (await all<{ id: number }>("select min(id) id from deliveries"))[0].id;
    expect(minDelivery).toBe(keptDelivery);
    const gone = await as(w.admin).get(`${log}?after=${oldDelivery - 1}`);
    expectError(gone, 410);
    expect(gone.body).toMatchObject({
      code: "CURSOR_EXPIRED",
      oldest_available_id: keptDelivery,
      details: [{ field: "after" }],
    });
    const edge = await as(w.admin).get(`${log}?after=${keptDelivery - 1}`);
    expect(edge.status).toBe(200);
    expect(edge.body.payload.map((d: { id: number }) => d.id)).toEqual([keptDelivery]);
    expect(edge.body.meta).toMatchObject({ current_page: 1, has_more: false });
    expect(edge.body.meta.next_after).toBeGreaterThanOrEqual(keptDelivery);
    const fromStart = await as(w.admin).get(`${log}?after=0`);
    expect(fromStart.body.payload.map((d: { id: number }) => d.id)).toEqual([keptDelivery]);
    const paged = await as(w.admin).get(`${log}?page=1`);
    expect(paged.body.payload.map((d: { id: number }) => d.id)).toEqual([keptDelivery]);
    expect(paged.body.meta).toEqual({ current_page: 1, has_more: false });
    expectError(await as(w.admin).get(`${log}?page=1&after=0`), 422);
  });

  it("socket replay: replay.gone with the oldest id kept, then live frames; a kept since replays", async () => {
    const { w, contact, oldEvent, kept, through } = await prunedWorld();
    const gone = await connect({ api_access_token: w.admin.token, since: String(oldEvent) });
    const frame = await until(() => gone.events("replay.gone")[0]);
    expect(frame.data).toEqual({ since: oldEvent, oldest_available_id: kept[0] });
    expect(gone.events("contact.updated")).toEqual([]);
    expect(gone.events("replay.truncated")).toEqual([]);
    await as(w.admin).put(`${w.base}/contacts/${contact.id}`, { name: "Live again" });
    const live = await until(() => gone.events("contact.updated").find((f) => f.data.name === "Live again"));
    expect(live.id).toBeGreaterThan(kept[2]);
    gone.close();

    const back = await connect({ api_access_token: w.admin.token, since: String(through) });
    const replayed: { id: number }[] = await until(() => {
      const frames = back.events("contact.updated");
      return frames.length >= 4 ? frames : null;
    });
    expect(replayed.slice(0, 3).map((f) => f.id)).toEqual(kept);
    expect(back.events("replay.gone")).toEqual([]);
    back.close();
  });
});

describe("retention: what reads old events", () => {
  it("a stream whose events were all deleted goes on above every sequence it had, never back to 1", async () => {
    const w = await createWorld();
    const { path, conversation } = await createConversation(w);
    await as(w.agent).post(`${path}/messages`, { content: "before" });
    const sequences = async () =>
      (
        await all<{ sequence: number }>(
          "select sequence from events where conversation_id = (select id from conversations where account_id = ? " +
            "and display_id = ?) order by id",
          w.account.id,
          conversation.id,
        )
      ).map((r) => r.sequence);
    const had = await sequences();
    // This database was pruned by the tests before: a new stream starts above 1, and counts by one.
    expect(had.length).toBeGreaterThan(1);
    expect(had.every((s, i) => s === had[0] + i)).toBe(true);
    await pruneRetention(env, testDb(), later());
    expect(await sequences()).toEqual([]);

    const reply = await as(w.agent).post(`${path}/messages`, { content: "after" });
    expect(reply.status).toBe(200);
    const [next, ...rest] = await sequences();
    expect(next).toBeGreaterThan(Math.max(...had));
    expect(rest.every((s, i) => s === next + i + 1)).toBe(true);
  });
});
