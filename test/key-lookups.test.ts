import { describe, expect, it } from "vitest";
import { contactInboxes, contacts } from "../src/db/schema";
import type { ApiResponse } from "./helpers/api";
import { as, createWorld, expectError, testDb, unique } from "./helpers/factories";
import { client, ok } from "./helpers/public-client";

/**
 * A missing identifier, source_id, e-mail or phone is never looked up as a placeholder value, and
 * no key-like string may hold control characters: a client that could send the placeholder (it
 * was "\u0000none") took over every session and contact created without that key.
 */

const CONTROL_MESSAGE = "must not contain control characters";

function expectControlRefused(res: ApiResponse, field: string) {
  expectError(res, 422);
  expect(res.body.details).toContainEqual({ field, message: CONTROL_MESSAGE });
}

describe("client API: sessions without a key are never shared", () => {
  it("refuses control characters in source_id, identifier and echo_id, and in the path", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    expectControlRefused(await c.post("/contacts", { source_id: "\u0000none", name: "Mallory" }), "source_id");
    expectControlRefused(await c.post("/contacts", { identifier: "victim\u0000", name: "Mallory" }), "identifier");
    expectControlRefused(await c.post("/contacts", { identifier: "line\nbreak" }), "identifier");
    expectControlRefused(await c.post("/contacts", { identifier: "c1\u0085" }), "identifier");
    // No session can hold such a source_id, so the path names nothing.
    expectError(await c.get("/contacts/%00none/conversations"), 404, "Contact not found");
    const s = ok(await c.post("/contacts", { name: "Maya" }));
    expectControlRefused(
      await c.get(`/contacts/${s.source_id}`, { identifier: "a\u0007", identifier_hash: "00" }),
      "identifier",
    );
    const conv = ok(await c.post(`/contacts/${s.source_id}/conversations`));
    expectControlRefused(
      await c.post(`/contacts/${s.source_id}/conversations/${conv.id}/messages`, { content: "hi", echo_id: "e\u0000" }),
      "echo_id",
    );
    // Unicode that is not a control character is an ordinary key.
    expect(ok(await c.post("/contacts", { identifier: "ユーザー-é-😀" })).identifier).toBe("ユーザー-é-😀");
  });

  it("gives each anonymous caller, and each new identified user, a session of their own", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const first = ok(await c.post("/contacts", {}));
    const second = ok(await c.post("/contacts", {}));
    const victim = ok(
      await c.post("/contacts", { identifier: unique("victim"), name: "Victim Two", email: "v2@example.test" }),
    );
    const other = ok(await c.post("/contacts", { identifier: unique("other"), name: "Other" }));
    const sessions = [first, second, victim, other];
    expect(new Set(sessions.map((s) => s.source_id)).size).toBe(4);
    expect(new Set(sessions.map((s) => s.pubsub_token)).size).toBe(4);
    expect(new Set(sessions.map((s) => s.id)).size).toBe(4);
    expect(victim).toMatchObject({ name: "Victim Two", email: "v2@example.test" });
    // The anonymous caller sees none of the victim's conversations.
    const conv = ok(await c.post(`/contacts/${victim.source_id}/conversations`));
    ok(await c.post(`/contacts/${victim.source_id}/conversations/${conv.id}/messages`, { content: "my card number" }));
    expect(ok(await c.get(`/contacts/${first.source_id}/conversations`))).toEqual([]);
  });

  it("hands a verified caller a new verified session, never an anonymous one made before hmac_mandatory", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const anonymous = ok(await c.post("/contacts", { name: "Mallory" }));
    ok(await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { hmac_mandatory: true }));
    const identifier = unique("real-user");
    const { hmacSha256Hex } = await import("../src/lib/crypto");
    const verified = ok(
      await c.post("/contacts", { identifier, identifier_hash: await hmacSha256Hex(w.inbox.hmacToken, identifier) }),
    );
    expect(verified).toMatchObject({ identifier, hmac_verified: true });
    expect(verified.source_id).not.toBe(anonymous.source_id);
    expect(verified.pubsub_token).not.toBe(anonymous.pubsub_token);
    expect(verified.id).not.toBe(anonymous.id);
  });
});

describe("lookups of an absent key match nothing, whatever the rows hold", () => {
  // Rows with the old placeholder as their keys (written before the character rule, or by a
  // direct import): a create without those keys must still never land on them.
  async function plantedRows(w: Awaited<ReturnType<typeof createWorld>>) {
    const db = testDb();
    const [planted] = await db
      .insert(contacts)
      .values({
        accountId: w.account.id,
        name: "Mallory",
        identifier: "\u0000none",
        email: "\u0000none",
        phoneNumber: "\u0000none",
      })
      .returning();
    await db.insert(contactInboxes).values({
      contactId: planted.id,
      inboxId: w.inbox.id,
      sourceId: "\u0000none",
      pubsubToken: unique("planted-token"),
    });
    return planted;
  }

  it("client API: an anonymous create and a new identified user get sessions of their own", async () => {
    const w = await createWorld();
    const planted = await plantedRows(w);
    const c = client(w.inbox.identifier);
    const anonymous = ok(await c.post("/contacts", {}));
    const victim = ok(
      await c.post("/contacts", { identifier: unique("victim-2"), name: "Victim Two", email: "v2@example.test" }),
    );
    for (const s of [anonymous, victim]) {
      expect(s.id).not.toBe(planted.id);
      expect(s.source_id).not.toBe("\u0000none");
    }
    expect(victim).toMatchObject({ name: "Victim Two", email: "v2@example.test" });
  });

  it("Application API: a contact created without an identifier is a new contact", async () => {
    const w = await createWorld();
    const planted = await plantedRows(w);
    const res = ok(
      await as(w.admin).post(`${w.base}/contacts`, {
        name: "Agent-made",
        email: "am@example.test",
        inbox_id: w.inbox.id,
      }),
    );
    expect(res.payload.contact).toMatchObject({ name: "Agent-made", email: "am@example.test", identifier: null });
    expect(res.payload.contact.id).not.toBe(planted.id);
    expect(res.payload.contact_inbox.source_id).not.toBe("\u0000none");
  });
});

describe("Application API: contacts without an identifier are never merged", () => {
  it("refuses control characters in identifiers, source_ids, labels and message keys", async () => {
    const w = await createWorld();
    const admin = as(w.admin);
    expectControlRefused(await admin.post(`${w.base}/contacts`, { name: "x", identifier: "\u0000none" }), "identifier");
    expectControlRefused(
      await admin.post(`${w.base}/contacts`, { name: "x", inbox_id: w.inbox.id, source_id: "s\u001f" }),
      "source_id",
    );
    const contact = ok(await admin.post(`${w.base}/contacts`, { name: "Ann", identifier: unique("ann") })).payload
      .contact;
    expectControlRefused(
      await admin.post(`${w.base}/contacts/${contact.id}/contact_inboxes`, {
        inbox_id: w.inbox.id,
        source_id: "\u007f",
      }),
      "source_id",
    );
    expectControlRefused(
      await admin.patch(`${w.base}/contacts/${contact.id}`, { identifier: "new\r\nid" }),
      "identifier",
    );
    const conv = ok(await admin.post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id }));
    expectControlRefused(await admin.post(`${w.base}/conversations`, { source_id: "\u0000none" }), "source_id");
    expectControlRefused(
      await admin.post(`${w.base}/conversations/${conv.id}/labels`, { labels: ["vip\u0000"] }),
      "labels.0",
    );
    expectControlRefused(
      await admin.post(`${w.base}/conversations/${conv.id}/messages`, { content: "hi", echo_id: "\u0000" }),
      "echo_id",
    );
    expectControlRefused(
      await admin.post(`${w.base}/conversations/${conv.id}/messages`, { content: "hi", source_id: "a\nb" }),
      "source_id",
    );
    expectControlRefused(await admin.get(`${w.base}/conversations`, { source_id: "\u0000none" }), "source_id");
    // An empty echo_id or source_id is no key at all, as before.
    expect(
      ok(await admin.post(`${w.base}/conversations/${conv.id}/messages`, { content: "a", echo_id: "", source_id: "" }))
        .source_id,
    ).toBeNull();
    expect(
      ok(await admin.post(`${w.base}/conversations/${conv.id}/messages`, { content: "b", echo_id: "" })).content,
    ).toBe("b");
  });

  it("creates a new contact for each create without an identifier, through either API", async () => {
    const w = await createWorld();
    const admin = as(w.admin);
    const first = ok(await admin.post(`${w.base}/contacts`, { name: "First", email: "first@example.test" })).payload
      .contact;
    const second = ok(await admin.post(`${w.base}/contacts`, { name: "Agent-made", email: "am@example.test" })).payload
      .contact;
    const third = ok(
      await admin.post(`${w.base}/contacts`, { name: "No identifier", identifier: null, inbox_id: w.inbox.id }),
    ).payload;
    expect(new Set([first.id, second.id, third.contact.id]).size).toBe(3);
    expect(second).toMatchObject({ name: "Agent-made", email: "am@example.test", identifier: null });
    const anonymous = ok(await client(w.inbox.identifier).post("/contacts", { name: "Anon" }));
    expect([first.id, second.id, third.contact.id]).not.toContain(anonymous.id);
    expect(third.contact_inbox.source_id).not.toBe(anonymous.source_id);
  });
});
