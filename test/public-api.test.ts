import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { inboxes, messages } from "../src/db/schema";
import { hmacSha256Hex } from "../src/lib/crypto";
import { DEFAULT_WORKING_HOURS } from "../src/lib/business-hours";
import { api } from "./helpers/api";
import { as, createContact, createWorld, expectError, testDb, unique } from "./helpers/factories";
import { client, ok, startConversation } from "./helpers/public-client";

const scalar = async (query: string, ...params: unknown[]) =>
  (await env.DB.prepare(query)
    .bind(...params)
    .first<{ n: number }>())!.n;
const eventsOf = (accountId: number, event: string) =>
  env.DB.prepare("select * from events where account_id = ? and event = ? order by id")
    .bind(accountId, event)
    .all<{ message_id: number; data: string }>();

describe("client API: inbox and contacts", () => {
  it("shows the inbox without secrets, and a 404 envelope for an unknown identifier", async () => {
    const w = await createWorld();
    const res = await client(w.inbox.identifier).get("");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      identifier: w.inbox.identifier,
      identity_validation_enabled: false,
      name: "API inbox",
      timezone: "UTC",
      working_hours: DEFAULT_WORKING_HOURS,
      working_hours_enabled: false,
      csat_survey_enabled: false,
      greeting_enabled: false,
      greeting_message: null,
    });
    expect(res.text).not.toContain(w.inbox.hmacToken);
    expectError(await client("no-such-inbox").get(""), 404, "Inbox not found");
    expectError(await client("no-such-inbox").post("/contacts", { name: "x" }), 404, "Inbox not found");
  });

  it(
    "creates a contact session, is idempotent per source_id, " + "and brings a returning user back to the same session",
    async () => {
      const w = await createWorld();
      const c = client(w.inbox.identifier);
      const identifier = unique("app-user");
      const first = ok(
        await c.post("/contacts", {
          identifier,
          name: "Maya",
          email: "Maya@Example.test",
          custom_attributes: { plan: "pro" },
        }),
      );
      expect(first).toMatchObject({
        source_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        pubsub_token: expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{24}$/),
        id: expect.any(Number),
        name: "Maya",
        email: "maya@example.test",
        phone_number: null,
        identifier,
        custom_attributes: { plan: "pro" },
        hmac_verified: false,
      });
      // The same source_id returns the same session, whatever else is sent.
      const bySource = ok(await c.post("/contacts", { source_id: first.source_id, name: "Other" }));
      expect(bySource).toMatchObject({
        id: first.id,
        source_id: first.source_id,
        pubsub_token: first.pubsub_token,
        name: "Maya",
      });
      // A returning user (same identifier, new app install) gets the same contact and session.
      const returning = ok(await c.post("/contacts", { identifier }));
      expect(returning).toMatchObject({ id: first.id, source_id: first.source_id });
      // E-mail reuses the contact, in a fresh session (an e-mail is no proof of who is calling).
      const byEmail = ok(await c.post("/contacts", { email: "maya@example.test" }));
      expect(byEmail.id).toBe(first.id);
      expect(byEmail.source_id).not.toBe(first.source_id);
      expect(await scalar("select count(*) n from contacts where account_id = ?", w.account.id)).toBe(1);
      // A chosen source_id is kept; an anonymous contact gets a readable name.
      const chosen = ok(await c.post("/contacts", { source_id: "device-42" }));
      expect(chosen).toMatchObject({ source_id: "device-42", name: expect.stringMatching(/^[a-z]+-[a-z]+-\d{3}$/) });
      expect(chosen.id).not.toBe(first.id);
    },
  );

  it("shows and updates the contact; identifier cannot change; conflicts and bad input are 4xx", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const other = ok(await c.post("/contacts", { email: "taken@example.test" }));
    const me = ok(await c.post("/contacts", { identifier: unique("me"), name: "Me" }));
    expect(ok(await c.get(`/contacts/${me.source_id}`))).toMatchObject({
      id: me.id,
      name: "Me",
      source_id: me.source_id,
    });
    const updated = ok(
      await c.patch(`/contacts/${me.source_id}`, {
        name: "New name",
        phone_number: "+14155550100",
        custom_attributes: { a: 1 },
      }),
    );
    expect(updated).toMatchObject({
      name: "New name",
      phone_number: "+14155550100",
      custom_attributes: { a: 1 },
      identifier: me.identifier,
    });
    expect(ok(await c.put(`/contacts/${me.source_id}`, { contact: { name: "Wrapped" } })).name).toBe("Wrapped");
    // identifier is not changed here (as Chatwoot drops it), without a hash or with one.
    const sameId = ok(await c.patch(`/contacts/${me.source_id}`, { identifier: unique("new-id") }));
    expect(sameId.identifier).toBe(me.identifier);
    expectError(
      await c.patch(`/contacts/${me.source_id}`, { email: "taken@example.test" }),
      422,
      "Email has already been taken",
    );
    expectError(await c.patch(`/contacts/${me.source_id}`, { email: "not-an-email" }), 422);
    expectError(
      await api("POST", `${c.base}/contacts`, undefined, {
        raw: "{nope",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    expectError(await c.get(`/contacts/unknown-source`), 404, "Contact not found");
    expect(ok(await c.get(`/contacts/${other.source_id}`)).email).toBe("taken@example.test");
    expect(ok(await c.get(`/contacts/${me.source_id}`)).name).toBe("Wrapped");
  });

  it("treats another inbox's identifier or session as missing", async () => {
    const w = await createWorld();
    const elsewhere = await createWorld("Elsewhere");
    const mine = await startConversation(client(w.inbox.identifier));
    const theirs = client(elsewhere.inbox.identifier);
    expectError(await theirs.get(`/contacts/${mine.sourceId}`), 404);
    expectError(await theirs.get(mine.path), 404);
    expectError(await theirs.post(`${mine.path}/messages`, { content: "sneaky" }), 404);
    // Same account, other inbox: still another inbox's session.
    expectError(await client(w.otherInbox.identifier).get(mine.path), 404);
    expect(await scalar("select count(*) n from messages where content = 'sneaky'")).toBe(0);
  });
});

describe("client API: conversations", () => {
  it("creates a conversation from an empty form body and routes it to an available agent", async () => {
    const w = await createWorld("Routed", { autoAssign: true });
    const c = client(w.inbox.identifier);
    const contact = ok(await c.post("/contacts", { name: "Maya" }));
    const res = await api("POST", `${c.base}/contacts/${contact.source_id}/conversations`, undefined, {
      raw: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      uuid: expect.any(String),
      inbox_id: w.inbox.id,
      status: "open",
      messages: [],
      contact: { id: contact.id, name: "Maya" },
    });
    const agentView = await as(w.admin).get(`${w.base}/conversations/${res.body.id}`);
    expect([w.admin.id, w.agent.id]).toContain(agentView.body.meta.assignee?.id);
  });

  it(
    "lists the session's conversations 25 a page with " + "Link and X-Total-Count, and never another session's",
    async () => {
      const w = await createWorld();
      const c = client(w.inbox.identifier);
      const { sourceId } = await startConversation(c);
      for (let i = 0; i < 25; i++)
        ok(await c.post(`/contacts/${sourceId}/conversations`, { custom_attributes: { n: i } }));
      await startConversation(c, { name: "Someone else" });
      const page1 = await c.get(`/contacts/${sourceId}/conversations`);
      expect(page1.status).toBe(200);
      expect(Array.isArray(page1.body)).toBe(true);
      expect(page1.body).toHaveLength(25);
      expect(page1.headers.get("x-total-count")).toBe("26");
      expect(page1.headers.get("link")).toMatch(/page=2>; rel="next"/);
      const page2 = await c.get(`/contacts/${sourceId}/conversations`, { page: "2" });
      expect(page2.body).toHaveLength(1);
      expect(page2.headers.get("link")).toBeNull();
      const ids = [...page1.body, ...page2.body].map((x: { id: number }) => x.id);
      expect(new Set(ids).size).toBe(26);
      expectError(await c.get(`/contacts/${sourceId}/conversations`, { page: "0" }), 422);
    },
  );

  it("shows a conversation with messages for the contact only: no private notes, no activity", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    ok(await c.post(`${s.path}/messages`, { content: "Hello?" }));
    const agentPath = `${w.base}/conversations/${s.conversation.id}`;
    ok(await as(w.agent).post(`${agentPath}/messages`, { content: "Hi Maya" }));
    ok(await as(w.agent).post(`${agentPath}/messages`, { content: "secret note", private: true }));
    ok(await as(w.agent).post(`${agentPath}/assignments`, { assignee_id: w.agent.id }));
    const shown = ok(await c.get(s.path));
    expect(shown.messages.map((m: { content: string }) => m.content)).toEqual(["Hello?", "Hi Maya"]);
    expect(shown.messages[0]).toMatchObject({
      message_type: 0,
      conversation_id: s.conversation.id,
      sender: { type: "contact" },
    });
    expect(shown.messages[1]).toMatchObject({ message_type: 1, sender: { type: "user", name: "Agent" } });
    expect(JSON.stringify(shown)).not.toContain(w.agent.email);
    const listed = ok(await c.get(`${s.path}/messages`));
    expect(listed.map((m: { content: string }) => m.content)).toEqual(["Hello?", "Hi Maya"]);
    expect(ok(await c.get(`/contacts/${s.sourceId}/conversations`))[0].messages).toHaveLength(2);
  });

  it("resolves (toggle_status), reports typing and marks agent messages read with message_updated", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c, { name: "Maya" });
    const agentPath = `${w.base}/conversations/${s.conversation.id}`;
    const reply1 = ok(await as(w.agent).post(`${agentPath}/messages`, { content: "one" }));
    const reply2 = ok(await as(w.agent).post(`${agentPath}/messages`, { content: "two" }));

    const typing = await c.post(`${s.path}/toggle_typing`, { typing_status: "on" });
    expect(typing.status).toBe(200);
    const typed = await eventsOf(w.account.id, "conversation_typing_on");
    expect(JSON.parse(typed.results[0].data).user).toMatchObject({ id: s.contact.id, name: "Maya" });
    expectError(await c.post(`${s.path}/toggle_typing`, { typing_status: "maybe" }), 422);

    expect((await c.post(`${s.path}/update_last_seen`)).status).toBe(200);
    const statuses = await testDb()
      .select({ id: messages.id, status: messages.status })
      .from(messages)
      .where(eq(messages.accountId, w.account.id));
    expect(statuses.filter((m) => [reply1.id, reply2.id].includes(m.id)).map((m) => m.status)).toEqual([
      "read",
      "read",
    ]);
    const updatedEvents = (await eventsOf(w.account.id, "message_updated")).results.map((e) => e.message_id).sort();
    expect(updatedEvents).toEqual([reply1.id, reply2.id].sort());
    expect((await as(w.agent).get(agentPath)).body.contact_last_seen_at).toBeGreaterThan(0);

    const resolved = ok(await c.post(`${s.path}/toggle_status`));
    expect(resolved.status).toBe("resolved");
    const activity = await scalar(
      "select count(*) n from messages where account_id = ? and message_type " +
        "= 'activity' and content = 'Conversation was marked resolved by Maya'",
      w.account.id,
    );
    expect(activity).toBe(1);
    // Resolving again changes nothing.
    expect(ok(await c.post(`${s.path}/toggle_status`)).status).toBe("resolved");
    expect((await eventsOf(w.account.id, "conversation_status_changed")).results).toHaveLength(1);
  });
});

describe("client API: messages", () => {
  it("creates incoming messages only, pages 20 at a time with before, and validates content", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const first = ok(await c.post(`${s.path}/messages`, { content: "m0", message_type: "outgoing", private: true }));
    expect(first).toMatchObject({
      content: "m0",
      message_type: 0,
      status: "sent",
      sender: { id: s.contact.id, type: "contact" },
    });
    for (let i = 1; i < 25; i++) ok(await c.post(`${s.path}/messages`, { content: `m${i}` }));
    const latest = ok(await c.get(`${s.path}/messages`));
    expect(latest.map((m: { content: string }) => m.content)).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${i + 5}`),
    );
    const older = ok(await c.get(`${s.path}/messages`, { before: String(latest[0].id) }));
    expect(older.map((m: { content: string }) => m.content)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expectError(await c.post(`${s.path}/messages`, { content: "" }), 422);
    expectError(await c.post(`${s.path}/messages`, { content: "x".repeat(150_001) }), 422, /Content is too long/);
    expectError(await c.post(`${s.path}/messages`, { content: 5 }), 422);
    const form = new FormData();
    form.append("content", "with a file");
    form.append("attachments[]", new File(["hello"], "note.txt", { type: "text/plain" }));
    const withFile = ok(await api("POST", `${c.base}${s.path}/messages`, form));
    expect(withFile.attachments).toEqual([
      expect.objectContaining({
        file_type: "file",
        file_name: "note.txt",
        data_url: expect.stringContaining("/attachments/"),
      }),
    ]);
    const link = new URL(withFile.attachments[0].data_url);
    expect(link.pathname).toBe(`/attachments/${w.account.id}/${link.pathname.split("/")[3]}/note.txt`);
    expect((await api("GET", link.pathname + link.search)).text).toBe("hello");
  });

  it("deduplicates echo_id: a repeat, even a concurrent one, returns the stored message", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const first = await c.post(`${s.path}/messages`, { content: "once", echo_id: "e-1" });
    expect(first.status).toBe(200);
    expect(first.body.echo_id).toBe("e-1");
    const again = await c.post(`${s.path}/messages`, { content: "once", echo_id: "e-1" });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => c.post(`${s.path}/messages`, { content: "burst", echo_id: "e-2" })),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(burst.map((r) => r.body.id)).size).toBe(1);
    const stored = await scalar(
      "select count(*) n from messages where account_id = ? and message_type = 'incoming'",
      w.account.id,
    );
    expect(stored).toBe(2);
    expect((await eventsOf(w.account.id, "message_created")).results).toHaveLength(2);
  });

  it("takes submitted_values for interactive messages only, and refuses CSAT answers after 14 days", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const agentPath = `${w.base}/conversations/${s.conversation.id}`;
    const select = ok(
      await as(w.agent).post(`${agentPath}/messages`, {
        content: "Pick one",
        content_type: "input_select",
        content_attributes: {
          items: [
            { title: "Yes", value: "yes" },
            { title: "No", value: "no" },
          ],
        },
      }),
    );
    const answered = ok(
      await c.patch(`${s.path}/messages/${select.id}`, { submitted_values: [{ title: "Yes", value: "yes" }] }),
    );
    expect(answered.content_attributes).toMatchObject({
      submitted_values: [{ title: "Yes", value: "yes" }],
      items: expect.any(Array),
    });
    expect((await eventsOf(w.account.id, "message_updated")).results.map((e) => e.message_id)).toEqual([select.id]);

    const text = ok(await as(w.agent).post(`${agentPath}/messages`, { content: "plain" }));
    expectError(
      await c.put(`${s.path}/messages/${text.id}`, { submitted_values: [] }),
      422,
      "This message does not take submitted values",
    );
    const note = ok(await as(w.agent).post(`${agentPath}/messages`, { content: "note", private: true }));
    expectError(await c.patch(`${s.path}/messages/${note.id}`, { submitted_values: [] }), 404, "Message not found");

    const csat = ok(
      await as(w.agent).post(`${agentPath}/messages`, { content: "Rate us", content_type: "input_csat" }),
    );
    const csatAnswer = { submitted_values: { csat_survey_response: { rating: 5, feedback_message: "great" } } };
    expect(
      ok(await c.patch(`${s.path}/messages/${csat.id}`, csatAnswer)).content_attributes.csat_survey_response,
    ).toEqual({ rating: 5, feedback_message: "great" });
    await testDb()
      .update(messages)
      .set({ createdAt: Date.now() - 15 * 86_400_000 })
      .where(eq(messages.id, csat.id));
    expectError(
      await c.patch(`${s.path}/messages/${csat.id}`, csatAnswer),
      422,
      "You cannot update the CSAT survey after 14 days",
    );
  });

  it("costs 1 D1 round trip to read or write a message, 2 other writes, 3 to verify+update or resolve", async () => {
    const w = await createWorld("Counted", { autoAssign: true });
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const trips = (res: { headers: Headers }) =>
      Number(res.headers.get("server-timing")?.match(/d1;desc="(\d+) round trips"/)?.[1]);
    expect({
      inbox: trips(await c.get("")),
      contactShow: trips(await c.get(`/contacts/${s.sourceId}`)),
      contactCreate: trips(await c.post("/contacts", { name: "New" })),
      contactUpdate: trips(await c.patch(`/contacts/${s.sourceId}`, { name: "Renamed" })),
      conversationList: trips(await c.get(`/contacts/${s.sourceId}/conversations`)),
      conversationShow: trips(await c.get(s.path)),
      conversationCreate: trips(await c.post(`/contacts/${s.sourceId}/conversations`)),
      messageList: trips(await c.get(`${s.path}/messages`)),
      messageCreate: trips(await c.post(`${s.path}/messages`, { content: "hi" })),
      typing: trips(await c.post(`${s.path}/toggle_typing`, { typing_status: "off" })),
      lastSeen: trips(await c.post(`${s.path}/update_last_seen`)),
      verifyAndUpdate: trips(
        await c.patch(`/contacts/${s.sourceId}`, {
          name: "Verified",
          identifier: "counted-user",
          identifier_hash: await hmacSha256Hex(w.inbox.hmacToken, "counted-user"),
        }),
      ),
      resolve: trips(await c.post(`${s.path}/toggle_status`)),
    }).toEqual({
      inbox: 1,
      contactShow: 1,
      contactCreate: 2,
      contactUpdate: 2,
      conversationList: 1,
      conversationShow: 1,
      conversationCreate: 2,
      messageList: 1,
      messageCreate: 1,
      typing: 2,
      lastSeen: 2,
      // Verifying writes the session before the update's own batch.
      verifyAndUpdate: 3,
      // The freed agent's inboxes are read for waiting conversations (none here).
      resolve: 3,
    });
  });
});

describe("client API: identity verification (hmac_mandatory)", () => {
  // Computed here rather than with the app's hmacSha256Hex, so a bug there cannot pass unseen.
  const hash = async (token: string, identifier: string) => {
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(token),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(identifier));
    return [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, "0")).join("");
  };

  it("refuses a missing or wrong hash with 401 and accepts the right one", async () => {
    const w = await createWorld();
    await testDb().update(inboxes).set({ hmacMandatory: true }).where(eq(inboxes.id, w.inbox.id));
    const c = client(w.inbox.identifier);
    const identifier = unique("verified-user");
    expect(ok(await c.get("")).identity_validation_enabled).toBe(true);
    expectError(await c.post("/contacts", { identifier }), 401, /identifier_hash is required/);
    expectError(await c.post("/contacts", { name: "anonymous" }), 401);
    expectError(
      await c.post("/contacts", { identifier, identifier_hash: "00".repeat(32) }),
      401,
      /Invalid identifier_hash/,
    );
    expectError(await c.post("/contacts", { identifier, identifier_hash: await hash("wrong-token", identifier) }), 401);
    expect(await scalar("select count(*) n from contacts where account_id = ?", w.account.id)).toBe(0);
    const good = ok(
      await c.post("/contacts", {
        identifier,
        identifier_hash: (await hash(w.inbox.hmacToken, identifier)).toUpperCase(),
      }),
    );
    expect(good.hmac_verified).toBe(true);
    const conv = ok(await c.post(`/contacts/${good.source_id}/conversations`));
    ok(await c.post(`/contacts/${good.source_id}/conversations/${conv.id}/messages`, { content: "verified hello" }));
    // A returning caller without the hash never gets the verified session.
    expectError(await c.post("/contacts", { identifier }), 401);
  });

  it("refuses an unverified session on every route, and verifying it opens them all", async () => {
    const w = await createWorld();
    const identifier = unique("legacy-user");
    // A session made by the Application API before the inbox required verification.
    const { sourceId } = await createContact(w, { identifier });
    const agentConv = ok(
      await as(w.admin).post(`${w.base}/conversations`, { source_id: sourceId, inbox_id: w.inbox.id }),
    );
    const reply = ok(
      await as(w.admin).post(`${w.base}/conversations/${agentConv.id}/messages`, {
        content: "answer",
        content_type: "input_select",
        content_attributes: { items: [{ title: "a", value: "a" }] },
      }),
    );
    await testDb().update(inboxes).set({ hmacMandatory: true }).where(eq(inboxes.id, w.inbox.id));
    const c = client(w.inbox.identifier);
    const conv = `/contacts/${sourceId}/conversations/${agentConv.id}`;
    const calls = () => [
      c.get(`/contacts/${sourceId}`),
      c.patch(`/contacts/${sourceId}`, { name: "x" }),
      c.put(`/contacts/${sourceId}`, { name: "x" }),
      c.get(`/contacts/${sourceId}/conversations`),
      c.post(`/contacts/${sourceId}/conversations`),
      c.get(conv),
      c.post(`${conv}/toggle_status`),
      c.post(`${conv}/toggle_typing`, { typing_status: "on" }),
      c.post(`${conv}/update_last_seen`),
      c.get(`${conv}/messages`),
      c.post(`${conv}/messages`, { content: "hi" }),
      c.patch(`${conv}/messages/${reply.id}`, { submitted_values: [{ title: "a", value: "a" }] }),
      c.put(`${conv}/messages/${reply.id}`, { submitted_values: [{ title: "a", value: "a" }] }),
    ];
    const refused = await Promise.all(calls());
    for (const res of refused) expectError(res, 401);
    expect(refused[5].body.code).toBe("IDENTITY_NOT_VERIFIED");
    expect(await scalar("select count(*) n from conversations where account_id = ?", w.account.id)).toBe(1);
    expect(
      await scalar("select count(*) n from messages where account_id = ? and message_type = 'incoming'", w.account.id),
    ).toBe(0);

    expectError(
      await c.get(`/contacts/${sourceId}`, { identifier, identifier_hash: await hash("nope", identifier) }),
      401,
    );
    const verified = ok(
      await c.get(`/contacts/${sourceId}`, { identifier, identifier_hash: await hash(w.inbox.hmacToken, identifier) }),
    );
    expect(verified.hmac_verified).toBe(true);
    const opened = await Promise.all(calls());
    expect(opened.map((r) => r.status)).toEqual(Array(opened.length).fill(200));
  });
});

describe("client API: who a contact create lands on", () => {
  it(
    "reuses by phone, never takes a contact with another identifier, " +
      "and keeps a verified session from an unverified caller",
    async () => {
      const w = await createWorld();
      const c = client(w.inbox.identifier);
      const byPhone = ok(await c.post("/contacts", { phone_number: "+14155550123", name: "Phone" }));
      expect(ok(await c.post("/contacts", { phone_number: "+14155550123" })).id).toBe(byPhone.id);

      const owner = ok(await c.post("/contacts", { identifier: unique("owner"), email: "shared@example.test" }));
      // Same e-mail, another identifier: not the owner's contact (and the e-mail is taken).
      expectError(
        await c.post("/contacts", { identifier: unique("other"), email: "shared@example.test" }),
        422,
        "Email has already been taken",
      );
      const other = ok(await c.post("/contacts", { identifier: unique("other") }));
      expect(other.id).not.toBe(owner.id);

      // Without hmac_mandatory, a verified session is still only handed to a verified caller.
      const identifier = unique("verified");
      const hash = await hmacSha256Hex(w.inbox.hmacToken, identifier);
      const verified = ok(await c.post("/contacts", { identifier, identifier_hash: hash }));
      const unverified = ok(await c.post("/contacts", { identifier }));
      expect(unverified).toMatchObject({ id: verified.id, hmac_verified: false });
      expect(unverified.source_id).not.toBe(verified.source_id);
      expect(ok(await c.post("/contacts", { identifier, identifier_hash: hash })).source_id).toBe(verified.source_id);
    },
  );

  it(
    "returns the latest conversation with lock_to_single_conversation, " + "and opens a blocked contact's resolved",
    async () => {
      const w = await createWorld();
      await testDb().update(inboxes).set({ lockToSingleConversation: true }).where(eq(inboxes.id, w.inbox.id));
      const c = client(w.inbox.identifier);
      const s = await startConversation(c);
      const again = ok(await c.post(`/contacts/${s.sourceId}/conversations`));
      expect(again.id).toBe(s.conversation.id);
      expect(await scalar("select count(*) n from conversations where account_id = ?", w.account.id)).toBe(1);

      await testDb().update(inboxes).set({ lockToSingleConversation: false }).where(eq(inboxes.id, w.inbox.id));
      const blocked = ok(await c.post("/contacts", { name: "Blocked" }));
      await env.DB.prepare("update contacts set blocked = 1 where id = ?").bind(blocked.id).run();
      expect(ok(await c.post(`/contacts/${blocked.source_id}/conversations`)).status).toBe("resolved");
    },
  );
});
