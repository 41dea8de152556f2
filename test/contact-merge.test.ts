import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { EVENT_NAMES } from "../src/events/registry";
import { inArray } from "drizzle-orm";
import { contacts, webhooks } from "../src/db/schema";
import { newSigningSecret } from "../src/services/inboxes";
import { hmacSha256Hex } from "../src/lib/crypto";
import { mergeContacts } from "../src/services/contact-merge";
import type { Principal } from "../src/services/auth";
import { ownedRows } from "./helpers/access";
import type { ApiResponse } from "./helpers/api";
import {
  as,
  createContact,
  createConversation,
  createWorld,
  expectError,
  serviceContext,
  testDb,
  unique,
  type World,
} from "./helpers/factories";
import { client, ok, startConversation } from "./helpers/public-client";
import { receiver } from "./helpers/receiver";
import { createBot } from "./helpers/bots";

const rows = async <T = Record<string, unknown>>(query: string, ...binds: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...binds)
      .all<T>()
  ).results;

const merge = (w: World, body: unknown, actor: { token: string } = w.agent) =>
  as(actor).post(`${w.base}/actions/contact_merge`, body);

/** Every table with a `contact_id` column, but the event log (it records what happened to the contact). */
async function contactTables(): Promise<string[]> {
  const tables = await rows<{ name: string; sql: string }>(
    "select name, sql from sqlite_master where type = 'table' and name not like '\\_cf\\_%' escape '\\' order by name",
  );
  const found = tables.filter((t) => t.name !== "events" && /[`"\s(]contact_id[`"\s]/.test(t.sql)).map((t) => t.name);
  expect(found).toEqual(
    expect.arrayContaining(["contact_inboxes", "contact_labels", "contact_notes", "conversations"]),
  );
  return found;
}

/** Whatever still names the contact: rows of every contact_id table, its messages as sender, the contact itself. */
async function leftOf(contactId: number) {
  const left: Record<string, number> = {};
  for (const table of await contactTables()) {
    const [{ n }] = await rows<{ n: number }>(`select count(*) n from ${table} where contact_id = ?`, contactId);
    if (n) left[table] = n;
  }
  const [{ n: sent }] = await rows<{ n: number }>(
    "select count(*) n from messages where sender_type = 'Contact' and sender_id = ?",
    contactId,
  );
  if (sent) left.messages = sent;
  const [{ n: self }] = await rows<{ n: number }>("select count(*) n from contacts where id = ?", contactId);
  if (self) left.contacts = self;
  return left;
}

const eventsOf = (contactId: number) =>
  rows<{ event: string; data: string }>("select event, data from events where contact_id = ? order by id", contactId);

function roundTrips(res: ApiResponse): number {
  const match = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips"/);
  if (!match) throw new Error(`no d1 Server-Timing (status ${res.status})`);
  return Number(match[1]);
}

/**
 * The usual case: an end user chats anonymously through the client API (a session, a
 * conversation, messages), and is already known to the account under their stable identifier.
 */
async function anonymousAndKnown(w: World) {
  const identifier = unique("stable");
  const { contact: known } = await createContact(w, {
    name: "Maya Known",
    identifier,
    custom_attributes: { plan: "pro", prefs: { lang: "en" } },
    additional_attributes: { city: "Lisbon" },
  });
  const knownConversation = await as(w.admin).post(`${w.base}/conversations`, {
    inbox_id: w.inbox.id,
    contact_id: known.id,
  });
  expect(knownConversation.status).toBe(200);
  const c = client(w.inbox.identifier);
  const anon = await startConversation(c, {
    email: "Maya@Example.test",
    phone_number: "+351911111111",
    custom_attributes: { plan: "free", source: "app", prefs: { theme: "dark" } },
  });
  ok(await c.post(`${anon.path}/messages`, { content: "Hello, anyone there?" }));
  return { c, identifier, known, knownConversation: knownConversation.body, anon, anonId: anon.contact.id as number };
}

describe("contact merge: happy path", () => {
  it("moves everything of the mergee to the base, deletes the mergee and leaves nothing of it behind", async () => {
    const w = await createWorld();
    const { c, identifier, known, anon, anonId } = await anonymousAndKnown(w);
    // A second session in the other inbox, with a conversation the inbox's agent cannot see.
    const other = await as(w.admin).post(`${w.base}/contacts/${anonId}/contact_inboxes`, {
      inbox_id: w.otherInbox.id,
      source_id: unique("back-office"),
    });
    expect(other.status).toBe(200);
    const otherConv = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: anonId,
      message: { content: "Back office note", message_type: "incoming" },
    });
    expect(otherConv.status).toBe(200);
    expect(
      (await as(w.agent).post(`${w.base}/contacts/${anonId}/notes`, { content: "Asked about refunds" })).status,
    ).toBe(200);
    expect((await as(w.agent).post(`${w.base}/contacts/${anonId}/labels`, { labels: ["vip", "trial"] })).status).toBe(
      200,
    );
    expect((await as(w.agent).post(`${w.base}/contacts/${known.id}/labels`, { labels: ["vip"] })).status).toBe(200);
    // A CSAT answer of the mergee's.
    await env.DB.prepare(
      "insert into csat_survey_responses (account_id, inbox_id, conversation_id, message_id, contact_id, rating, " +
        "created_at, updated_at) select account_id, inbox_id, conversation_id, id, ?1, 5, 0, 0 from messages " +
        "where conversation_id = (select conversation_id from messages where sender_type = 'Contact' and " +
        "sender_id = ?1 limit 1) limit 1",
    )
      .bind(anonId)
      .run();
    const mergeeConversations = await rows<{ id: number }>("select id from conversations where contact_id = ?", anonId);
    const mergeeMessages = await rows<{ id: number }>(
      "select id from messages where sender_type = 'Contact' and sender_id = ?",
      anonId,
    );
    expect(mergeeConversations).toHaveLength(2);
    expect(mergeeMessages.length).toBeGreaterThanOrEqual(1);
    const countsBefore = (await as(w.admin).get(`${w.base}/conversations/meta`, { status: "all" })).body;

    const res = await merge(w, { base_contact_id: known.id, mergee_contact_id: anonId });
    expect(res.status).toBe(200);
    // The base, unwrapped (as Chatwoot), its own values first, the mergee's where it had none.
    expect(res.body).toMatchObject({
      id: known.id,
      name: "Maya Known",
      identifier,
      email: "maya@example.test",
      phone_number: "+351911111111",
      custom_attributes: { plan: "pro", source: "app", prefs: { lang: "en", theme: "dark" } },
      additional_attributes: { city: "Lisbon" },
    });
    // The agent sees the sessions of the inbox they are in: the base's and the mergee's.
    expect(res.body.contact_inboxes.map((ci: any) => ci.source_id).sort()).toEqual(
      [known.contact_inboxes[0].source_id, anon.sourceId].sort(),
    );
    expect(roundTrips(res)).toBe(2);

    expect(await leftOf(anonId)).toEqual({});
    const ids = (list: { id: number }[]) => list.map((r) => r.id);
    expect(
      ids(await rows<{ id: number }>("select id from conversations where contact_id = ? order by id", known.id)),
    ).toEqual(expect.arrayContaining(ids(mergeeConversations)));
    expect(
      ids(await rows("select id from messages where sender_type = 'Contact' and sender_id = ? order by id", known.id)),
    ).toEqual(expect.arrayContaining(ids(mergeeMessages)));
    expect(await rows("select count(*) n from contact_inboxes where contact_id = ?", known.id)).toEqual([{ n: 3 }]);
    expect(await rows("select label from contact_labels where contact_id = ? order by label", known.id)).toEqual([
      { label: "trial" },
      { label: "vip" },
    ]);
    expect(await rows("select count(*) n from csat_survey_responses where contact_id = ?", known.id)).toEqual([
      { n: 1 },
    ]);
    const notes = await as(w.agent).get(`${w.base}/contacts/${known.id}/notes`);
    expect(notes.body.map((n: any) => [n.content, n.contact_id])).toEqual([["Asked about refunds", known.id]]);
    // The account's conversation counts are about inboxes, statuses and assignees: unchanged.
    expect((await as(w.admin).get(`${w.base}/conversations/meta`, { status: "all" })).body).toEqual(countsBefore);
    // The search index follows: the base is found by the mergee's e-mail, the mergee not at all.
    const found = await as(w.agent).get(`${w.base}/contacts/search`, { q: "maya@example" });
    expect(found.body.payload.map((x: any) => x.id)).toEqual([known.id]);
    expect((await as(w.agent).get(`${w.base}/contacts/${anonId}`)).status).toBe(404);

    // The end user's session keeps working, now as the base contact, with its conversation.
    const session = ok(await c.get(`/contacts/${anon.sourceId}`));
    expect(session).toMatchObject({ id: known.id, identifier, email: "maya@example.test" });
    const theirs = ok(await c.get(`/contacts/${anon.sourceId}/conversations`));
    expect(theirs.map((x: any) => x.id)).toEqual([anon.conversation.id]);
    const messages = ok(await c.get(`${anon.path}/messages`));
    expect(messages.at(-1)).toMatchObject({ content: "Hello, anyone there?", sender: { id: known.id } });
  });

  it("records contact_deleted for the mergee and exactly one contact_updated for the base", async () => {
    const w = await createWorld();
    const r = receiver("merges");
    await testDb()
      .insert(webhooks)
      .values({ accountId: w.account.id, url: r.url, subscriptions: [...EVENT_NAMES], secret: newSigningSecret() });
    const { known, anonId } = await anonymousAndKnown(w);
    const before = (await eventsOf(known.id)).length;
    expect((await merge(w, { base_contact_id: known.id, mergee_contact_id: anonId })).status).toBe(200);

    const baseEvents = (await eventsOf(known.id)).slice(before).filter((e) => e.event.startsWith("contact_"));
    expect(baseEvents.map((e) => e.event)).toEqual(["contact_updated"]);
    expect(JSON.parse(baseEvents[0].data).changed_attributes).toEqual([
      { email: { previous_value: null, current_value: "maya@example.test" } },
      { phone_number: { previous_value: null, current_value: "+351911111111" } },
      {
        custom_attributes: {
          previous_value: { plan: "pro", prefs: { lang: "en" } },
          current_value: { plan: "pro", source: "app", prefs: { lang: "en", theme: "dark" } },
        },
      },
    ]);
    const mergeeEvents = (await eventsOf(anonId)).filter((e) => e.event.startsWith("contact_"));
    expect(mergeeEvents.map((e) => e.event)).toEqual(["contact_created", "contact_deleted"]);

    const bodies = await vi.waitFor(
      async () => {
        const got = (await r.requests()).map((x) => JSON.parse(x.body));
        const wanted = got.filter((b) => ["contact_deleted", "contact_updated"].includes(b.event));
        if (wanted.length < 2) throw new Error(`${wanted.length} so far`);
        return wanted;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(bodies.find((b) => b.event === "contact_deleted")).toMatchObject({
      id: anonId,
      email: "maya@example.test",
      merged_into_contact_id: known.id,
    });
    expect(bodies.find((b) => b.event === "contact_updated")).toMatchObject({
      id: known.id,
      email: "maya@example.test",
      changed_attributes: expect.arrayContaining([
        { email: { previous_value: null, current_value: "maya@example.test" } },
      ]),
    });
  });

  it("keeps every value the base has, and takes the mergee's unique fields without a collision", async () => {
    const w = await createWorld();
    const { contact: base } = await createContact(w, {
      name: "Base",
      email: "base@example.test",
      identifier: unique("base"),
      phone_number: "+351900000001",
      custom_attributes: { tier: "gold" },
    });
    const { contact: mergee } = await createContact(w, {
      name: "Mergee",
      email: "mergee@example.test",
      identifier: unique("mergee"),
      phone_number: "+351900000002",
      custom_attributes: { tier: "bronze", extra: 1 },
    });
    const res = await merge(w, { base_contact_id: base.id, mergee_contact_id: mergee.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "Base",
      email: "base@example.test",
      identifier: base.identifier,
      phone_number: "+351900000001",
      custom_attributes: { tier: "gold", extra: 1 },
    });

    // A base without them takes the mergee's e-mail, phone and identifier (the mergee goes first).
    const { contact: bare } = await createContact(w, { name: "Bare", identifier: undefined });
    const { contact: full } = await createContact(w, {
      name: "Full",
      email: "full@example.test",
      identifier: unique("full"),
      phone_number: "+351900000003",
    });
    await as(w.admin).put(`${w.base}/contacts/${bare.id}`, { identifier: null });
    const taken = await merge(w, { base_contact_id: bare.id, mergee_contact_id: full.id });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({
      name: "Bare",
      email: "full@example.test",
      phone_number: "+351900000003",
      identifier: full.identifier,
    });
  });

  it("lets an anonymous session, once merged, sign in with the stable identifier", async () => {
    const w = await createWorld();
    const { c, identifier, known, knownConversation, anon, anonId } = await anonymousAndKnown(w);
    const identify = { identifier, identifier_hash: await hmacSha256Hex(w.inbox.hmacToken, identifier) };
    // Before the merge the identifier is another contact's: the anonymous session cannot take it.
    expectError(await c.patch(`/contacts/${anon.sourceId}`, identify), 422, "Identifier has already been taken");
    expect((await merge(w, { base_contact_id: known.id, mergee_contact_id: anonId })).status).toBe(200);
    const identified = ok(await c.patch(`/contacts/${anon.sourceId}`, identify));
    expect(identified).toMatchObject({ id: known.id, identifier, hmac_verified: true });
    // A session still lists its own conversations only; the agent sees them all on the one contact.
    const listed = ok(await c.get(`/contacts/${anon.sourceId}/conversations`));
    expect(listed.map((x: any) => x.id)).toEqual([anon.conversation.id]);
    const all = await as(w.admin).get(`${w.base}/contacts/${known.id}/conversations`);
    expect(all.body.payload.map((x: any) => x.id).sort()).toEqual([anon.conversation.id, knownConversation.id].sort());
  });

  it("makes the merge from fresh rows when a contact changed after it was read", async () => {
    const w = await createWorld();
    const { contact: base } = await createContact(w, { name: "Before" });
    const { contact: mergee } = await createContact(w, { name: "Mergee", email: "fresh@example.test" });
    const stale = await testDb()
      .select()
      .from(contacts)
      .where(inArray(contacts.id, [base.id, mergee.id]));
    await new Promise((r) => setTimeout(r, 5));
    expect((await as(w.admin).put(`${w.base}/contacts/${base.id}`, { name: "After" })).status).toBe(200);
    const actor = {
      user: { id: w.admin.id },
      membership: { role: "administrator" },
      bot: null,
    } as unknown as Principal;
    const merged = await mergeContacts(
      { ...serviceContext(w.account.id), actor },
      { base_contact_id: base.id, mergee_contact_id: mergee.id },
      [stale],
    );
    expect(merged.contact).toMatchObject({ name: "After", email: "fresh@example.test" });
    expect(await leftOf(mergee.id)).toEqual({});
    // The stale attempt recorded nothing: one contact_deleted, one contact_updated from the merge.
    expect((await eventsOf(mergee.id)).map((e) => e.event)).toEqual(["contact_created", "contact_deleted"]);
    expect((await eventsOf(base.id)).map((e) => e.event)).toEqual([
      "contact_created",
      "contact_updated",
      "contact_updated",
    ]);
  });
});

describe("contact merge: errors", () => {
  it("refuses the same contact twice, unknown ids and bad bodies, and writes nothing", async () => {
    const w = await createWorld();
    const { contact: a } = await createContact(w, { name: "A" });
    const { contact: b } = await createContact(w, { name: "B" });
    const before = await ownedRows(w.account.id);
    expectError(await merge(w, { base_contact_id: a.id, mergee_contact_id: a.id }), 422, /merged into itself/);
    expectError(await merge(w, { base_contact_id: a.id, mergee_contact_id: 999_999_999 }), 404, "Contact not found");
    expectError(await merge(w, { base_contact_id: 999_999_999, mergee_contact_id: b.id }), 404, "Contact not found");
    const missing = await merge(w, { base_contact_id: a.id });
    expectError(missing, 422);
    expect(missing.body.details.map((d: any) => d.field)).toEqual(["mergee_contact_id"]);
    expectError(await merge(w, { base_contact_id: "abc", mergee_contact_id: b.id }), 422);
    expect(await ownedRows(w.account.id)).toEqual(before);
  });

  it("refuses a merge whose attributes would outgrow the limits, and writes nothing", async () => {
    const w = await createWorld();
    const big = (prefix: string) =>
      Object.fromEntries([1, 2, 3].map((i) => [`${prefix}${i}`, "x".repeat(13_000)])) as Record<string, string>;
    const { contact: a } = await createContact(w, { name: "A", custom_attributes: big("a") });
    const { contact: b } = await createContact(w, { name: "B", custom_attributes: big("b") });
    const before = await ownedRows(w.account.id);
    const res = await merge(w, { base_contact_id: a.id, mergee_contact_id: b.id });
    expectError(res, 422, /custom_attributes/);
    expect(await ownedRows(w.account.id)).toEqual(before);
  });
});

describe("contact merge: security", () => {
  it("needs a token of the account; another account's contacts answer 404 and stay as they are", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const { contact: mine } = await createContact(w, { name: "Mine" });
    const { contact: theirs } = await createConversation(other);
    const beforeMine = await ownedRows(w.account.id);
    const beforeTheirs = await ownedRows(other.account.id);
    expectError(await as({ token: "nope" }).post(`${w.base}/actions/contact_merge`, {}), 401);
    for (const body of [
      { base_contact_id: mine.id, mergee_contact_id: theirs.id },
      { base_contact_id: theirs.id, mergee_contact_id: mine.id },
    ])
      expectError(await merge(w, body, w.admin), 404, "Contact not found");
    // Their administrator cannot merge in this account, even with this account's ids.
    expectError(
      await merge(w, { base_contact_id: mine.id, mergee_contact_id: theirs.id }, other.admin),
      404,
      "Account not found",
    );
    expect(await ownedRows(w.account.id)).toEqual(beforeMine);
    expect(await ownedRows(other.account.id)).toEqual(beforeTheirs);
  });

  it("lets any agent of the account merge, as Chatwoot does, and refuses agent bots", async () => {
    const w = await createWorld();
    const { contact: a } = await createContact(w, { name: "A" });
    const { contact: b } = await createContact(w, { name: "B" });
    const res = await merge(w, { base_contact_id: a.id, mergee_contact_id: b.id }, w.outsider);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(a.id);
    // The outsider belongs to no inbox: they see none of the sessions.
    expect(res.body.contact_inboxes).toEqual([]);
    const bot = await createBot(w);
    const { contact: c } = await createContact(w, { name: "C" });
    expectError(
      await merge(w, { base_contact_id: a.id, mergee_contact_id: c.id }, bot),
      401,
      "Access to this endpoint is not authorized for bots",
    );
    expect(await leftOf(c.id)).toMatchObject({ contact_inboxes: 1, contacts: 1 });
  });
});
