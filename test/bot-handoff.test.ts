import { describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { conversations, deliveries, messages } from "../src/db/schema";
import { fromBase64, hmacSha256, toBase64, toHex } from "../src/lib/crypto";
import { api, type ApiResponse } from "./helpers/api";
import { attachBot, type Bot, createBot, pointBotAt } from "./helpers/bots";
import { as, createConversation, createWorld, expectError, testDb, type World } from "./helpers/factories";
import { client, ok, startConversation } from "./helpers/public-client";
import { receiver, type Received } from "./helpers/receiver";

const BOTS_REFUSED = "Access to this endpoint is not authorized for bots";
const waitFor = <T>(fn: () => Promise<T>) => vi.waitFor(fn, { timeout: 15_000, interval: 100 });

/** D1 round trips from the `Server-Timing` header. */
const roundTrips = (res: ApiResponse) =>
  Number((res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips"/)?.[1]);

/** What reached the receiver for `event`, once `count` of them (matching `where`) have. */
async function received(r: ReturnType<typeof receiver>, event: string, where: (b: any) => boolean = () => true) {
  return waitFor(async () => {
    const got = (await r.requests()).filter((x) => {
      const body = JSON.parse(x.body);
      return body.event === event && where(body);
    });
    if (got.length === 0) throw new Error(`no ${event} yet`);
    return got;
  });
}

/** Whether both signatures of a delivery are made with `secret` (Chatwoot's and Standard Webhooks'). */
async function signedWith(req: Received, secret: string) {
  const chatwoot = toHex(await hmacSha256(secret, `${req.headers["x-chatwoot-timestamp"]}.${req.body}`));
  const id = req.headers["webhook-id"];
  const key = fromBase64(secret.slice("whsec_".length));
  const standard = toBase64(await hmacSha256(key, `${id}.${req.headers["webhook-timestamp"]}.${req.body}`));
  return (
    req.headers["x-chatwoot-signature"] === `sha256=${chatwoot}` &&
    req.headers["webhook-signature"].split(" ").includes(`v1,${standard}`)
  );
}

/** A world with routing on (its administrator and member agent online), and a bot on its API inbox. */
async function botWorld(): Promise<{ w: World; bot: Bot; r: ReturnType<typeof receiver> }> {
  const w = await createWorld("Bots", { autoAssign: true });
  const bot = await createBot(w, { name: "Triage bot" });
  const r = receiver("bot");
  await pointBotAt(bot.id, r.url);
  await attachBot(w, w.inbox.id, bot.id);
  return { w, bot, r };
}

const row = async (uuid: string) =>
  (await testDb().select().from(conversations).where(eq(conversations.uuid, uuid)))[0];

describe("a bot-owned conversation", () => {
  it("starts pending, held by the bot and routed to nobody, from the client API and the Application API", async () => {
    const { w, bot } = await botWorld();
    const c = client(w.inbox.identifier);
    const { conversation } = await startConversation(c);
    expect(conversation.status).toBe("pending");
    const stored = await row(conversation.uuid);
    expect(stored).toMatchObject({ status: "pending", assigneeAgentBotId: bot.id, assigneeId: null });

    const shown = await as(w.admin).get(`${w.base}/conversations/${conversation.id}`);
    expect(shown.body).toMatchObject({
      status: "pending",
      assignee_id: null,
      meta: {
        assignee_type: "AgentBot",
        assignee: { id: bot.id, name: "Triage bot", bot_type: "webhook", assignee_type: "AgentBot" },
      },
    });
    const fromAgent = await createConversation(w, {}, w.agent);
    expect(fromAgent.conversation).toMatchObject({ status: "pending", meta: { assignee_type: "AgentBot" } });
    // An agent who assigns someone explicitly keeps the conversation with that agent.
    const assigned = await createConversation(w, { assignee_id: w.agent.id });
    expect(assigned.conversation).toMatchObject({ status: "open", assignee_id: w.agent.id });
    // The other inbox has no bot: routing goes on as before.
    const other = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: fromAgent.contact.id,
    });
    expect(other.body).toMatchObject({ status: "open", assignee_id: w.admin.id });
    const pending = await as(w.admin).get(`${w.base}/conversations`, { status: "pending" });
    expect(pending.body.data.payload.map((x: { id: number }) => x.id)).toEqual(
      expect.arrayContaining([conversation.id, fromAgent.conversation.id]),
    );
  });

  it("reaches the bot's outgoing_url, signed; the bot replies with its token, then hands off", async () => {
    const { w, bot, r } = await botWorld();
    const c = client(w.inbox.identifier);
    const { conversation, path } = await startConversation(c);
    ok(await c.post(`${path}/messages`, { content: "Where is my parcel?" }));

    const [incoming] = await received(r, "message_created", (b) => b.content === "Where is my parcel?");
    expect(await signedWith(incoming, bot.secret)).toBe(true);
    const body = JSON.parse(incoming.body);
    expect(body).toMatchObject({
      message_type: "incoming",
      conversation: { id: conversation.id, status: "pending", meta: { assignee_type: "AgentBot" } },
      inbox: { id: w.inbox.id },
    });
    expect(incoming.body).not.toContain(bot.token);
    const [delivery] = await testDb()
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.agentBotId, bot.id), eq(deliveries.uid, incoming.headers["webhook-id"])));
    expect(delivery).toMatchObject({ status: "delivered", webhookId: null, inboxId: null, attempts: 1 });

    // The bot answers as itself: one round trip for its credential and the conversation, one for the write.
    const conversationPath = `${w.base}/conversations/${conversation.id}`;
    const reply = await as(bot).post(`${conversationPath}/messages`, { content: "Let me check that for you." });
    expect(reply.status).toBe(200);
    expect(roundTrips(reply)).toBe(2);
    expect(reply.body).toMatchObject({
      content: "Let me check that for you.",
      message_type: 1,
      sender_type: "AgentBot",
      sender_id: bot.id,
      sender: { id: bot.id, name: "Triage bot", type: "agent_bot" },
    });
    const [stored] = await testDb().select().from(messages).where(eq(messages.id, reply.body.id));
    expect(stored).toMatchObject({ senderType: "AgentBot", senderId: bot.id });
    // A bot's reply is not an agent's first reply.
    expect((await row(conversation.uuid)).firstReplyCreatedAt).toBeNull();

    const listed = await as(w.agent).get(`${conversationPath}/messages`);
    expect(listed.body.payload.at(-1).sender).toEqual({
      id: bot.id,
      name: "Triage bot",
      avatar_url: "",
      thumbnail: "",
      type: "agent_bot",
    });
    const seen = ok(await c.get(`${path}/messages`));
    expect(seen.at(-1)).toMatchObject({ content: "Let me check that for you.", sender: { type: "agent_bot" } });
    const [echoed] = await received(r, "message_created", (b) => b.id === reply.body.id);
    expect(JSON.parse(echoed.body).sender).toMatchObject({ id: bot.id, name: "Triage bot", type: "agent_bot" });

    // Bot-accessible routes: typing, priority, custom attributes, labels.
    expect((await as(bot).post(`${conversationPath}/toggle_typing_status`, { typing_status: "on" })).status).toBe(200);
    expect((await as(bot).post(`${conversationPath}/toggle_priority`, { priority: "high" })).status).toBe(200);
    const attrs = await as(bot).post(`${conversationPath}/custom_attributes`, { custom_attributes: { order: "42" } });
    expect(attrs.body).toEqual({ custom_attributes: { order: "42" } });
    expect((await as(bot).post(`${conversationPath}/labels`, { labels: ["parcel"] })).body).toEqual({
      payload: ["parcel"],
    });
    const shownToBot = await as(bot).get(conversationPath);
    expect(shownToBot.body.priority).toBe("high");
    // The bot's token is checked in the conversation's own round trip.
    expect(roundTrips(shownToBot)).toBe(1);

    // The hand-off: open, the bot lets go, routing gives it to an online member of the inbox.
    const handoff = await as(bot).post(`${conversationPath}/toggle_status`, { status: "open" });
    expect(handoff.status).toBe(200);
    expect(handoff.body.payload).toMatchObject({ success: true, current_status: "open" });
    const after = await row(conversation.uuid);
    expect(after.status).toBe("open");
    expect(after.assigneeAgentBotId).toBeNull();
    expect([w.admin.id, w.agent.id]).toContain(after.assigneeId);
    const shown = await as(w.admin).get(conversationPath);
    expect(shown.body.meta).toMatchObject({ assignee_type: "User", assignee: { id: after.assigneeId } });
    const [status] = await received(r, "conversation_status_changed", (b) => b.status === "open");
    expect(JSON.parse(status.body).changed_attributes).toEqual([
      { status: { previous_value: "pending", current_value: "open" } },
      { assignee_agent_bot_id: { previous_value: bot.id, current_value: null } },
    ]);
    expect(await signedWith(status, bot.secret)).toBe(true);
    const activity = await testDb()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, after.id), eq(messages.messageType, "activity")));
    expect(activity.map((m) => m.content)).toContain("Conversation was reopened by Triage bot");
  });

  it("goes back to the bot, pending, when the contact writes after it was resolved", async () => {
    const { w, bot } = await botWorld();
    const c = client(w.inbox.identifier);
    const { conversation, path } = await startConversation(c);
    const conversationPath = `${w.base}/conversations/${conversation.id}`;
    ok(await as(bot).post(`${conversationPath}/toggle_status`, { status: "resolved" }));
    expect(await row(conversation.uuid)).toMatchObject({ status: "resolved", assigneeAgentBotId: bot.id });
    await testDb()
      .update(conversations)
      .set({ assigneeAgentBotId: null })
      .where(eq(conversations.uuid, conversation.uuid));
    ok(await c.post(`${path}/messages`, { content: "One more thing" }));
    expect(await row(conversation.uuid)).toMatchObject({
      status: "pending",
      assigneeAgentBotId: bot.id,
      assigneeId: null,
    });
  });

  it("is handed to the bot with assignments (AgentBot) and taken back by assigning an agent", async () => {
    const { w, bot } = await botWorld();
    const { path, conversation } = await createConversation(w, { assignee_id: w.agent.id });
    const handed = await as(w.agent).post(`${path}/assignments`, { assignee_id: bot.id, assignee_type: "AgentBot" });
    expect(handed.status).toBe(200);
    expect(handed.body).toMatchObject({ id: bot.id, name: "Triage bot", assignee_type: "AgentBot" });
    expect(await row(conversation.uuid)).toMatchObject({
      status: "pending",
      assigneeAgentBotId: bot.id,
      assigneeId: null,
    });
    const taken = await as(w.agent).post(`${path}/assignments`, { assignee_id: w.agent.id });
    expect(taken.body).toMatchObject({ id: w.agent.id });
    expect(await row(conversation.uuid)).toMatchObject({ assigneeAgentBotId: null, assigneeId: w.agent.id });

    const unattached = await createBot(w);
    expectError(
      await as(w.agent).post(`${path}/assignments`, { assignee_id: unattached.id, assignee_type: "AgentBot" }),
      422,
    );
    expectError(await as(w.agent).post(`${path}/assignments`, { assignee_type: "AgentBot" }), 422);
    expectError(
      await as(w.agent).post(`${path}/assignments`, { assignee_id: 987_654, assignee_type: "AgentBot" }),
      404,
      "Agent bot not found",
    );
  });
});

describe("an unreachable bot", () => {
  it("hands its conversation to the agents once a contact's message cannot be delivered to it", async () => {
    const { w, bot, r } = await botWorld();
    await r.configure({ fail: 100, mode: "404" });
    const c = client(w.inbox.identifier);
    const { conversation, path } = await startConversation(c);
    ok(await c.post(`${path}/messages`, { content: "Anyone there?" }));
    const opened = await waitFor(async () => {
      const now = await row(conversation.uuid);
      if (now.status !== "open") throw new Error(`still ${now.status}`);
      return now;
    });
    expect(opened.assigneeAgentBotId).toBeNull();
    expect([w.admin.id, w.agent.id]).toContain(opened.assigneeId);
    const [failed] = await testDb().select().from(deliveries).where(eq(deliveries.agentBotId, bot.id));
    expect(failed).toMatchObject({ status: "failed", lastStatusCode: 404 });
    const activity = await testDb()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, opened.id), eq(messages.messageType, "activity")));
    expect(activity.map((m) => m.content)).toContain("Conversation was reopened by Automation System");
  });
});

describe("a bot's token", () => {
  it("is refused outside the bot routes and outside the bot's inboxes", async () => {
    const { w, bot } = await botWorld();
    const { conversation } = await createConversation(w);
    const conversationPath = `${w.base}/conversations/${conversation.id}`;
    const asBot = as(bot);
    for (const res of [
      await asBot.get(`${w.base}/conversations`),
      await asBot.get(`${conversationPath}/messages`),
      await asBot.post(`${conversationPath}/update_last_seen`),
      await asBot.get(`${w.base}/agents`),
      await asBot.get(`${w.base}/agent_bots`),
      await asBot.post(`${w.base}/inboxes/${w.inbox.id}/set_agent_bot`, { agent_bot: null }),
      await asBot.get("/api/v1/profile"),
      await asBot.get(`${w.base}/inboxes`),
    ])
      expectError(res, 401, BOTS_REFUSED);
    expectError(await asBot.get("/platform/api/v1/agent_bots"), 401, "Invalid Access Token");

    // A conversation of an inbox the bot is not attached to looks missing.
    const other = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: conversation.meta.sender.id,
    });
    const otherPath = `${w.base}/conversations/${other.body.id}`;
    expectError(await asBot.get(otherPath), 404, "Conversation not found");
    expectError(await asBot.post(`${otherPath}/messages`, { content: "hi" }), 404, "Conversation not found");
    expectError(await asBot.post(`${otherPath}/toggle_status`, { status: "resolved" }), 404);
    expect((await as(w.admin).get(otherPath)).body.status).toBe("open");

    // Detached from the inbox, the bot sees none of it.
    await attachBot(w, w.inbox.id, null);
    expectError(await asBot.get(conversationPath), 404, "Conversation not found");
  });

  it("stops working once reset or deleted, and a made-up bot token is refused", async () => {
    const { w, bot } = await botWorld();
    const { conversation } = await createConversation(w);
    const conversationPath = `${w.base}/conversations/${conversation.id}`;
    expect((await as(bot).get(conversationPath)).status).toBe(200);
    const reset = await as(w.admin).post(`${w.base}/agent_bots/${bot.id}/reset_access_token`);
    expectError(await as(bot).post(`${conversationPath}/messages`, { content: "stale" }), 401, "Invalid Access Token");
    const fresh = { token: reset.body.access_token as string };
    expect((await as(fresh).get(conversationPath)).status).toBe(200);
    expectError(await as({ token: "bot_notARealTokenAtAll" }).get(conversationPath), 401, "Invalid Access Token");
    expectError(await api("GET", conversationPath, undefined, { token: "bot_" }), 401, "Invalid Access Token");
    expect((await as(w.admin).delete(`${w.base}/agent_bots/${bot.id}`)).status).toBe(200);
    expectError(await as(fresh).get(conversationPath), 401, "Invalid Access Token");
    const written = await testDb().select().from(messages).where(eq(messages.content, "stale"));
    expect(written).toEqual([]);
  });
});
