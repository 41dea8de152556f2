import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { inboxes, webhooks } from "../src/db/schema";
import { newSigningSecret } from "../src/services/inboxes";
import { as, createContact, createWorld, expectError, testDb, type World } from "./helpers/factories";
import { receiver } from "./helpers/receiver";
import { client, ok, startConversation } from "./helpers/public-client";
import { connect, contactPubsubToken, until } from "./helpers/cable";

const GREETING = "Hi! We usually answer within the hour.";

/** Turns the world's inbox greeting on through the API, as an administrator does. */
async function greet(w: World, fields: Record<string, unknown> = {}) {
  const res = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, {
    greeting_enabled: true,
    greeting_message: GREETING,
    ...fields,
  });
  expect(res.status).toBe(200);
  return res.body;
}

/** Points the inbox's webhook_url and an account webhook at the local receiver (private URLs: set directly). */
async function hooks(w: World) {
  const inboxReceiver = receiver("greeting-inbox");
  const accountReceiver = receiver("greeting-account");
  await testDb().update(inboxes).set({ webhookUrl: inboxReceiver.url }).where(eq(inboxes.id, w.inbox.id));
  await testDb()
    .insert(webhooks)
    .values({
      accountId: w.account.id,
      url: accountReceiver.url,
      subscriptions: ["message_created", "conversation_created"] as never,
      secret: newSigningSecret(),
    });
  return { inboxReceiver, accountReceiver };
}

async function received(r: ReturnType<typeof receiver>, event: string, count = 1) {
  return vi.waitFor(
    async () => {
      const got = (await r.requests()).map((x) => JSON.parse(x.body)).filter((b) => b.event === event);
      if (got.length < count) throw new Error(`${got.length} ${event} so far`);
      return got;
    },
    { timeout: 15_000, interval: 100 },
  );
}

const messageRows = (conversationDisplayId: number, accountId: number) =>
  env.DB.prepare(
    `select m.id, m.message_type, m.content, m.sender_type, m.sender_id, m.content_attributes from messages m
     join conversations c on c.id = m.conversation_id
     where c.account_id = ? and c.display_id = ? and m.message_type <> 'activity' order by m.id`,
  )
    .bind(accountId, conversationDisplayId)
    .all<Record<string, unknown>>()
    .then((r) => r.results);

const conversationRow = (displayId: number, accountId: number) =>
  env.DB.prepare("select * from conversations where account_id = ? and display_id = ?")
    .bind(accountId, displayId)
    .first<Record<string, unknown>>();

describe("greeting: happy path", () => {
  it("reaches the inbox webhook_url and the account webhook of an Application API conversation", async () => {
    const w = await createWorld();
    await greet(w);
    const { inboxReceiver, accountReceiver } = await hooks(w);
    const { contact } = await createContact(w);
    const created = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id });
    expect(created.status).toBe(200);

    for (const r of [inboxReceiver, accountReceiver]) {
      const [body] = (await received(r, "message_created")).filter((b) => b.conversation.id === created.body.id);
      expect(body).toMatchObject({
        event: "message_created",
        content: GREETING,
        message_type: "template",
        content_type: "text",
        content_attributes: { auto_reply: "greeting" },
        private: false,
        sender: null,
        inbox: { id: w.inbox.id },
        conversation: { id: created.body.id },
      });
    }
    const rows = await messageRows(created.body.id, w.account.id);
    expect(rows).toEqual([
      expect.objectContaining({ message_type: "template", content: GREETING, sender_type: null, sender_id: null }),
    ]);
    // An automatic answer is not the first reply: the conversation still waits for an agent.
    const conv = await conversationRow(created.body.id, w.account.id);
    expect(conv).toMatchObject({ first_reply_created_at: null, last_message_id: rows[0].id });

    const listed = await as(w.agent).get(`${w.base}/conversations/${created.body.id}/messages`);
    expect(listed.body.payload).toEqual([
      expect.objectContaining({ content: GREETING, message_type: 3, content_attributes: { auto_reply: "greeting" } }),
    ]);
    expect(listed.body.payload[0].sender).toBeUndefined();
  });

  it("greets a conversation the contact opens through the client API, on contact and agent sockets", async () => {
    const w = await createWorld();
    await greet(w);
    const agentSocket = await connect({ api_access_token: w.agent.token });
    const c = client(w.inbox.identifier);
    const contact = ok(await c.post("/contacts", { name: "Maya" }));
    const contactSocket = await connect({ pubsub_token: await contactPubsubToken(contact.id, w.inbox.id) });
    const conversation = ok(await c.post(`/contacts/${contact.source_id}/conversations`));

    const messages = ok(await c.get(`/contacts/${contact.source_id}/conversations/${conversation.id}/messages`));
    expect(messages).toEqual([
      expect.objectContaining({ content: GREETING, message_type: 3, conversation_id: conversation.id }),
    ]);
    for (const s of [agentSocket, contactSocket]) {
      const frame = await until(() =>
        s.events("message.created").find((f) => f.data.conversation_id === conversation.id),
      );
      expect(frame.data).toMatchObject({ content: GREETING, message_type: 3 });
    }
    agentSocket.close();
    contactSocket.close();
  });

  it("comes before the first message sent with the conversation, which stays the latest", async () => {
    const w = await createWorld();
    await greet(w);
    const { contact } = await createContact(w);
    const created = await as(w.agent).post(`${w.base}/conversations`, {
      inbox_id: w.inbox.id,
      contact_id: contact.id,
      message: { content: "Following up on your order" },
    });
    expect(created.status).toBe(200);
    const rows = await messageRows(created.body.id, w.account.id);
    expect(rows.map((r) => [r.message_type, r.content, r.sender_type])).toEqual([
      ["template", GREETING, null],
      ["outgoing", "Following up on your order", "User"],
    ]);
    const conv = await conversationRow(created.body.id, w.account.id);
    expect(conv?.last_message_id).toBe(rows[1].id);
    const events = await env.DB.prepare(
      "select message_id from events where event = 'message_created' and conversation_id = ? order by id",
    )
      .bind(conv?.id)
      .all<{ message_id: number }>();
    expect(events.results.map((e) => e.message_id)).toEqual([rows[0].id, rows[1].id]);
  });
});

describe("greeting: when there is none", () => {
  it("posts nothing and records no event when disabled, empty, or for a conversation reused", async () => {
    const w = await createWorld();
    await greet(w, { greeting_enabled: false });
    const { contact } = await createContact(w);
    const off = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id });
    await greet(w, { greeting_message: "" });
    const empty = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id });
    for (const res of [off, empty]) {
      expect(res.status).toBe(200);
      expect(await messageRows(res.body.id, w.account.id)).toEqual([]);
    }
    const events = await env.DB.prepare(
      "select count(*) n from events where account_id = ? and event = 'message_created'",
    )
      .bind(w.account.id)
      .first<{ n: number }>();
    expect(events?.n).toBe(0);

    // One conversation per contact: the one reused is not greeted again.
    await greet(w, { lock_to_single_conversation: true });
    const c = client(w.inbox.identifier);
    const { sourceId, conversation } = await startConversation(c);
    const again = ok(await c.post(`/contacts/${sourceId}/conversations`));
    expect(again.id).toBe(conversation.id);
    expect((await messageRows(conversation.id, w.account.id)).length).toBe(1);
  });

  it("does not greet a blocked contact's conversation, which starts resolved", async () => {
    const w = await createWorld();
    await greet(w);
    const c = client(w.inbox.identifier);
    const contact = ok(await c.post("/contacts", { name: "Blocked" }));
    await env.DB.prepare("update contacts set blocked = 1 where id = ?").bind(contact.id).run();
    const conversation = ok(await c.post(`/contacts/${contact.source_id}/conversations`));
    expect(conversation.status).toBe("resolved");
    expect(await messageRows(conversation.id, w.account.id)).toEqual([]);
  });
});

describe("greeting: security", () => {
  it("is set by administrators only, and another account's inbox cannot be given one", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const body = { greeting_enabled: true, greeting_message: "Hello from elsewhere" };
    expectError(await as(w.agent).patch(`${w.base}/inboxes/${w.inbox.id}`, body), 403);
    expectError(await as(w.admin).patch(`${w.base}/inboxes/${other.inbox.id}`, body), 404);
    expectError(await as(w.admin).patch(`${other.base}/inboxes/${other.inbox.id}`, body), 404);
    const row = await env.DB.prepare("select greeting_enabled, greeting_message from inboxes where id = ?")
      .bind(other.inbox.id)
      .first();
    expect(row).toEqual({ greeting_enabled: 0, greeting_message: null });
  });

  it("greets only in its own inbox: another inbox of the account stays silent", async () => {
    const w = await createWorld();
    await greet(w);
    const { contact } = await createContact(w, { inbox_id: w.otherInbox.id });
    const res = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: contact.id,
    });
    expect(res.status).toBe(200);
    expect(await messageRows(res.body.id, w.account.id)).toEqual([]);
  });
});
