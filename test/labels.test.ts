import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, type ApiResponse } from "./helpers/api";
import {
  as,
  createContact,
  createConversation,
  createWorld,
  expectError,
  serviceContext,
  type World,
} from "./helpers/factories";
import { deleteStatements, renameStatements, titleOf } from "../src/services/labels";

const labelRow = (id: number) =>
  env.DB.prepare("select * from labels where id = ?").bind(id).first<Record<string, unknown>>();
/** What a conversation carries, both ways it is stored: the cached list and the index rows. */
async function stored(conversationId: number) {
  const c = await env.DB.prepare("select labels from conversations where id = ?")
    .bind(conversationId)
    .first<{ labels: string }>();
  const index = await env.DB.prepare("select label from conversation_labels where conversation_id = ? order by label")
    .bind(conversationId)
    .all<{ label: string }>();
  return { cached: JSON.parse(c!.labels) as string[], index: index.results.map((r) => r.label) };
}
const internalId = async (w: World, displayId: number) =>
  (await env.DB.prepare("select id from conversations where account_id = ? and display_id = ?")
    .bind(w.account.id, displayId)
    .first<{ id: number }>())!.id;
const roundTrips = (res: ApiResponse) =>
  Number(res.headers.get("server-timing")?.match(/d1;desc="(\d+) round trips"/)?.[1]);

async function newLabel(w: World, fields: Record<string, unknown>) {
  const res = await as(w.admin).post(`${w.base}/labels`, fields);
  if (res.status !== 200) throw new Error(`label create failed: ${res.text}`);
  return res.body;
}

/** A conversation labelled through the API, with its internal id. */
async function labelled(w: World, labels: string[]) {
  const c = await createConversation(w);
  expect((await as(w.admin).post(`${c.path}/labels`, { labels })).status).toBe(200);
  return { ...c, internal: await internalId(w, c.conversation.id) };
}

describe("labels: happy path", () => {
  it("creates a label (title lower-cased, Chatwoot's defaults) and answers the bare label", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/labels`, { label: { title: "Billing_2024-Q1" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      title: "billing_2024-q1",
      description: null,
      color: "#1f93ff",
      show_on_sidebar: true,
    });
    const full = await newLabel(w, {
      title: "Größe",
      description: "Size questions",
      color: "#FF0000",
      show_on_sidebar: "false",
    });
    expect(full).toMatchObject({
      title: "größe",
      description: "Size questions",
      color: "#ff0000",
      show_on_sidebar: false,
    });
    expect(await labelRow(full.id)).toMatchObject({ account_id: w.account.id, title: "größe", show_on_sidebar: 0 });
  });

  it("lists labels in `payload` by id and shows one bare, to any agent", async () => {
    const w = await createWorld();
    const a = await newLabel(w, { title: "vip" });
    const b = await newLabel(w, { title: "billing" });
    const list = await as(w.outsider).get(`${w.base}/labels`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ payload: [a, b] });
    const shown = await as(w.agent).get(`${w.base}/labels/${b.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(b);
  });

  it("updates the fields sent with PATCH or PUT", async () => {
    const w = await createWorld();
    const l = await newLabel(w, { title: "vip", description: "old" });
    const patched = await as(w.admin).patch(`${w.base}/labels/${l.id}`, { color: "#00aa00", show_on_sidebar: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ ...l, color: "#00aa00", show_on_sidebar: false });
    const put = await as(w.admin).put(`${w.base}/labels/${l.id}`, { label: { description: null } });
    expect(put.body).toEqual({ ...l, color: "#00aa00", show_on_sidebar: false, description: null });
  });
});

describe("labels: renaming and deleting carry to conversations and contacts", () => {
  it("deletes a label off every conversation (cached list, index, filter) and contact, in one write", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const l = await newLabel(w, { title: "billing" });
    const one = await labelled(w, ["vip", "billing", "refund"]);
    const two = await labelled(w, ["billing"]);
    const untouched = await labelled(w, ["vip"]);
    const theirs = await labelled(other, ["billing"]);
    const { contact } = await createContact(w);
    await as(w.agent).post(`${w.base}/contacts/${contact.id}/labels`, { labels: ["billing", "vip"] });
    const theirContact = (await createContact(other)).contact;
    await as(other.admin).post(`${other.base}/contacts/${theirContact.id}/labels`, { labels: ["billing"] });

    const del = await as(w.admin).delete(`${w.base}/labels/${l.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: "Label deleted" });
    expect(roundTrips(del), "the token check and one batch").toBe(2);
    expect(await labelRow(l.id)).toBeNull();
    expect(await stored(one.internal)).toEqual({ cached: ["vip", "refund"], index: ["refund", "vip"] });
    expect(await stored(two.internal)).toEqual({ cached: [], index: [] });
    expect(await stored(untouched.internal)).toEqual({ cached: ["vip"], index: ["vip"] });
    expect((await as(w.admin).get(one.path)).body.labels).toEqual(["vip", "refund"]);
    expect((await as(w.admin).get(`${one.path}/labels`)).body).toEqual({ payload: ["vip", "refund"] });
    const filtered = await as(w.admin).get(`${w.base}/conversations`, { status: "all", labels: "billing" });
    expect(filtered.body.data.payload).toEqual([]);
    expect((await as(w.agent).get(`${w.base}/contacts/${contact.id}/labels`)).body).toEqual({ payload: ["vip"] });
    // The same title in another account is that account's.
    expect(await stored(theirs.internal)).toEqual({ cached: ["billing"], index: ["billing"] });
    expect((await as(other.admin).get(`${other.base}/contacts/${theirContact.id}/labels`)).body).toEqual({
      payload: ["billing"],
    });
  });

  it("renames a label everywhere in place, without repeating a title a conversation already had", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const l = await newLabel(w, { title: "billing", color: "#123456" });
    const one = await labelled(w, ["vip", "billing", "refund"]);
    const both = await labelled(w, ["billing", "invoices"]);
    const theirs = await labelled(other, ["billing"]);
    const { contact } = await createContact(w);
    await as(w.agent).post(`${w.base}/contacts/${contact.id}/labels`, { labels: ["billing", "invoices", "vip"] });

    const res = await as(w.admin).patch(`${w.base}/labels/${l.id}`, { title: "Invoices" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...l, title: "invoices" });
    expect(roundTrips(res)).toBe(2);
    expect(await stored(one.internal)).toEqual({
      cached: ["vip", "invoices", "refund"],
      index: ["invoices", "refund", "vip"],
    });
    expect(await stored(both.internal)).toEqual({ cached: ["invoices"], index: ["invoices"] });
    const filtered = await as(w.admin).get(`${w.base}/conversations`, { status: "all", labels: "invoices" });
    expect(filtered.body.data.payload.map((c: any) => c.id).sort()).toEqual(
      [one.conversation.id, both.conversation.id].sort(),
    );
    expect(
      (await as(w.admin).get(`${w.base}/conversations`, { status: "all", labels: "billing" })).body.data.payload,
    ).toEqual([]);
    const contactLabels = (await as(w.agent).get(`${w.base}/contacts/${contact.id}/labels`)).body.payload;
    expect([...contactLabels].sort()).toEqual(["invoices", "vip"]);
    expect(await stored(theirs.internal)).toEqual({ cached: ["billing"], index: ["billing"] });

    // The same title again (any case) renames nothing and bumps no conversation.
    const before = await env.DB.prepare("select updated_at from conversations where id = ?").bind(one.internal).first();
    expect((await as(w.admin).patch(`${w.base}/labels/${l.id}`, { title: "INVOICES" })).status).toBe(200);
    expect(
      await env.DB.prepare("select updated_at from conversations where id = ?").bind(one.internal).first(),
    ).toEqual(before);
  });

  it("renames and deletes across more conversations than D1 binds parameters", async () => {
    const w = await createWorld();
    const l = await newLabel(w, { title: "bulk" });
    const seed = await labelled(w, ["keep", "bulk"]);
    await env.DB.batch([
      env.DB.prepare(
        `insert into conversations (account_id, display_id, uuid, inbox_id, contact_id, contact_inbox_id, labels,
           last_activity_at, created_at, updated_at)
         with recursive n(i) as (select 1 union all select i + 1 from n where i < 150)
         select account_id, 1000 + i, uuid || '-' || i, inbox_id, contact_id, contact_inbox_id, labels,
           last_activity_at, created_at, updated_at from conversations, n where id = ?`,
      ).bind(seed.internal),
      env.DB.prepare(
        `insert into conversation_labels (conversation_id, account_id, label)
         select c.id, c.account_id, j.value from conversations c, json_each(c.labels) j
         where c.account_id = ? and c.display_id > 1000`,
      ).bind(w.account.id),
    ]);
    const count = (label: string) =>
      env.DB.prepare("select count(*) n from conversation_labels where account_id = ? and label = ?")
        .bind(w.account.id, label)
        .first<{ n: number }>()
        .then((r) => r!.n);
    expect(await count("bulk")).toBe(151);

    expect((await as(w.admin).patch(`${w.base}/labels/${l.id}`, { title: "mass" })).status).toBe(200);
    expect(await count("bulk")).toBe(0);
    expect(await count("mass")).toBe(151);
    const cached = await env.DB.prepare("select distinct labels from conversations where account_id = ?")
      .bind(w.account.id)
      .all<{ labels: string }>();
    expect(cached.results.map((r) => r.labels)).toEqual(['["keep","mass"]']);

    expect((await as(w.admin).delete(`${w.base}/labels/${l.id}`)).status).toBe(200);
    expect(await count("mass")).toBe(0);
    expect(await count("keep")).toBe(151);
    const after = await env.DB.prepare("select distinct labels from conversations where account_id = ?")
      .bind(w.account.id)
      .all<{ labels: string }>();
    expect(after.results.map((r) => r.labels)).toEqual(['["keep"]']);
  });

  it("reaches the rows it changes through indexes, never by scanning a table", async () => {
    const ctx = serviceContext(1);
    const statements = [
      ...deleteStatements(ctx, 7),
      ...renameStatements(ctx, titleOf(1, 7), "next", Date.now()),
    ] as unknown as { toSQL(): { sql: string; params: unknown[] } }[];
    for (const q of statements) {
      const { sql, params } = q.toSQL();
      expect(params.length, sql).toBeLessThan(12);
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const scans = plan.results
        .map((r) => r.detail)
        .filter((l) => /^SCAN /.test(l) && !/USING (COVERING )?INDEX|^SCAN json_each|^SCAN j\b/.test(l));
      expect(scans, sql).toEqual([]);
      // Conversations are reached by id from the label index, not by walking the account's conversations.
      if (sql.startsWith('update "conversations"'))
        expect(plan.results.map((r) => r.detail)).toContain("SEARCH conversations USING INTEGER PRIMARY KEY (rowid=?)");
    }
  });

  it("keeps accepting labels that are not defined on conversations and contacts", async () => {
    const w = await createWorld();
    const c = await labelled(w, ["never-defined"]);
    expect((await as(w.admin).get(`${c.path}/labels`)).body).toEqual({ payload: ["never-defined"] });
    const { contact } = await createContact(w);
    const res = await as(w.agent).post(`${w.base}/contacts/${contact.id}/labels`, { labels: ["Free Text"] });
    expect(res.body).toEqual({ payload: ["Free Text"] });
  });
});

describe("contact labels", () => {
  it("replaces the contact's labels, keeps their order, and filters the contacts list by them", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w, { email: "vip@example.test" });
    const { contact: plain } = await createContact(w, { email: "plain@example.test" });
    const path = `${w.base}/contacts/${contact.id}/labels`;
    expect((await as(w.agent).get(path)).body).toEqual({ payload: [] });

    const set = await as(w.agent).post(path, { labels: ["vip", "billing", " vip "] });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ payload: ["vip", "billing"] });
    expect(roundTrips(set), "the token check and one batch").toBe(2);
    const replaced = await as(w.outsider).post(path, { labels: ["refund", "vip"] });
    expect(replaced.body).toEqual({ payload: ["vip", "refund"] });
    expect((await as(w.agent).get(path)).body).toEqual({ payload: ["vip", "refund"] });
    expect((await as(w.agent).post(path, { labels: "a,b" })).body).toEqual({ payload: ["a", "b"] });
    await as(w.agent).post(path, { labels: ["vip"] });

    const ids = (res: ApiResponse) => res.body.payload.map((c: any) => c.id);
    expect(ids(await as(w.agent).get(`${w.base}/contacts`, { labels: "vip" }))).toEqual([contact.id]);
    expect(ids(await as(w.agent).get(`${w.base}/contacts?labels[]=nope&labels[]=vip`))).toEqual([contact.id]);
    expect(ids(await as(w.agent).get(`${w.base}/contacts?labels[]=nope`))).toEqual([]);
    const meta = (await as(w.agent).get(`${w.base}/contacts`, { labels: "vip" })).body.meta;
    expect(meta).toEqual({ count: 1, current_page: 1 });
    expect(ids(await as(w.agent).get(`${w.base}/contacts?labels=`)).sort()).toEqual([contact.id, plain.id].sort());
    expect(ids(await as(w.agent).get(`${w.base}/contacts/search`, { q: "example.test", labels: "vip" }))).toEqual([
      contact.id,
    ]);

    const cleared = await as(w.agent).post(path, { labels: [] });
    expect(cleared.body).toEqual({ payload: [] });
  });

  it("validates the list and answers unknown contacts with 404", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const path = `${w.base}/contacts/${contact.id}/labels`;
    expectError(await as(w.agent).post(path, {}), 422);
    expectError(await as(w.agent).post(path, { labels: [{}] }), 422);
    expectError(await as(w.agent).post(path, { labels: Array.from({ length: 51 }, (_, i) => `l${i}`) }), 422);
    expectError(await as(w.agent).post(path, { labels: ["a\u0000b"] }), 422, /control characters/);
    expectError(await as(w.agent).get(`${w.base}/contacts/999999/labels`), 404, "Contact not found");
    expectError(
      await as(w.agent).post(`${w.base}/contacts/999999/labels`, { labels: ["x"] }),
      404,
      "Contact not found",
    );
    expect((await as(w.agent).get(path)).body).toEqual({ payload: [] });
  });
});

describe("labels: errors", () => {
  it("validates titles like Chatwoot (letters, numbers, - and _) and colours as #rrggbb", async () => {
    const w = await createWorld();
    const path = `${w.base}/labels`;
    const spaced = await as(w.admin).post(path, { title: "two words" });
    expectError(spaced, 422, /title: must contain only letters, numbers, hyphens and underscores/);
    expectError(await as(w.admin).post(path, { title: "vip!" }), 422);
    expectError(await as(w.admin).post(path, { title: "" }), 422);
    expectError(await as(w.admin).post(path, {}), 422);
    expectError(await as(w.admin).post(path, { title: "x".repeat(101) }), 422);
    expectError(await as(w.admin).post(path, { title: "ok", color: "red" }), 422, /color: must be a hex colour/);
    expectError(await as(w.admin).post(path, { title: "ok", color: "#fff" }), 422);
    expectError(await as(w.admin).post(path, { title: "ok", show_on_sidebar: "perhaps" }), 422);
    expect((await as(w.admin).get(path)).body).toEqual({ payload: [] });
  });

  it("keeps titles unique per account regardless of case; a taken rename changes nothing", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    await newLabel(a, { title: "billing" });
    const dup = await as(a.admin).post(`${a.base}/labels`, { title: "BILLING" });
    expectError(dup, 422, "Title has already been taken");
    expect(dup.body.details).toEqual([{ field: "title", message: "has already been taken" }]);
    expect((await as(b.admin).post(`${b.base}/labels`, { title: "billing" })).status).toBe(200);

    const vip = await newLabel(a, { title: "vip" });
    const c = await labelled(a, ["vip"]);
    const { contact } = await createContact(a);
    await as(a.admin).post(`${a.base}/contacts/${contact.id}/labels`, { labels: ["vip"] });
    expectError(
      await as(a.admin).patch(`${a.base}/labels/${vip.id}`, { title: "Billing" }),
      422,
      "Title has already been taken",
    );
    expect(await labelRow(vip.id)).toMatchObject({ title: "vip" });
    expect(await stored(c.internal)).toEqual({ cached: ["vip"], index: ["vip"] });
    expect((await as(a.admin).get(`${a.base}/contacts/${contact.id}/labels`)).body).toEqual({ payload: ["vip"] });
  });

  it("answers unknown labels with 404", async () => {
    const w = await createWorld();
    for (const res of [
      await as(w.admin).get(`${w.base}/labels/999999`),
      await as(w.admin).patch(`${w.base}/labels/999999`, { title: "x" }),
      await as(w.admin).delete(`${w.base}/labels/999999`),
    ])
      expectError(res, 404, "Label not found");
  });
});

describe("labels: security", () => {
  it("requires a valid token", async () => {
    const w = await createWorld();
    expectError(await api("GET", `${w.base}/labels`), 401, "Invalid Access Token");
    expectError(await api("POST", `${w.base}/labels`, { title: "x" }, { token: "wrong" }), 401);
    const { contact } = await createContact(w);
    expectError(await api("POST", `${w.base}/contacts/${contact.id}/labels`, { labels: ["x"] }), 401);
  });

  it("lets agents read but only administrators write", async () => {
    const w = await createWorld();
    const l = await newLabel(w, { title: "vip" });
    const c = await labelled(w, ["vip"]);
    expectError(await as(w.agent).post(`${w.base}/labels`, { title: "mine" }), 403);
    expectError(await as(w.agent).patch(`${w.base}/labels/${l.id}`, { title: "mine" }), 403);
    expectError(await as(w.agent).put(`${w.base}/labels/${l.id}`, { color: "#000000" }), 403);
    expectError(await as(w.agent).delete(`${w.base}/labels/${l.id}`), 403);
    expect(await labelRow(l.id)).toMatchObject({ title: "vip", color: "#1f93ff" });
    expect(await stored(c.internal)).toEqual({ cached: ["vip"], index: ["vip"] });
    expect((await as(w.agent).get(`${w.base}/labels`)).body).toEqual({ payload: [l] });
  });

  it("treats another account's labels and contacts exactly like missing ones and leaves them unchanged", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const theirs = await newLabel(b, { title: "secret" });
    const their = await labelled(b, ["secret"]);
    const { contact: theirContact } = await createContact(b);
    await as(b.admin).post(`${b.base}/contacts/${theirContact.id}/labels`, { labels: ["secret"] });
    const missing = await as(a.admin).get(`${a.base}/labels/999999`);
    for (const res of [
      await as(a.admin).get(`${a.base}/labels/${theirs.id}`),
      await as(a.admin).patch(`${a.base}/labels/${theirs.id}`, { title: "stolen" }),
      await as(a.admin).delete(`${a.base}/labels/${theirs.id}`),
    ]) {
      expectError(res, 404, "Label not found");
      expect(res.body).toEqual(missing.body);
    }
    expectError(await as(a.admin).get(`${a.base}/contacts/${theirContact.id}/labels`), 404, "Contact not found");
    expectError(
      await as(a.admin).post(`${a.base}/contacts/${theirContact.id}/labels`, { labels: ["intruder"] }),
      404,
      "Contact not found",
    );
    expectError(await as(a.admin).get(`${b.base}/labels`), 404, "Account not found");
    expect((await as(a.admin).get(`${a.base}/labels`)).body).toEqual({ payload: [] });
    expect(await labelRow(theirs.id)).toMatchObject({ title: "secret", account_id: b.account.id });
    expect(await stored(their.internal)).toEqual({ cached: ["secret"], index: ["secret"] });
    expect((await as(b.admin).get(`${b.base}/contacts/${theirContact.id}/labels`)).body).toEqual({
      payload: ["secret"],
    });
  });
});
