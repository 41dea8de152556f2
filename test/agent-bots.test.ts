import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { agentBots, conversations, deliveries, events, inboxes } from "../src/db/schema";
import { sha256Hex } from "../src/lib/crypto";
import { BOT_EVENTS } from "../src/events/registry";
import { api } from "./helpers/api";
import { attachBot, createBot, createPlatformBot, pointBotAt } from "./helpers/bots";
import { receiver } from "./helpers/receiver";
import {
  as,
  createConversation,
  createWorld,
  expectError,
  platform,
  testDb,
  unique,
  type World,
} from "./helpers/factories";

const botRow = async (id: number) => (await testDb().select().from(agentBots).where(eq(agentBots.id, id)))[0];
const bots = (w: World) => `${w.base}/agent_bots`;

describe("agent bots: the account's API", () => {
  it("creates a bot with its token shown once and stored as a hash, then reads, updates and deletes it", async () => {
    const w = await createWorld();
    const created = await as(w.admin).post(bots(w), {
      agent_bot: {
        name: "Triage",
        description: "Answers first",
        outgoing_url: "https://bots.example.com/triage",
        avatar_url: "https://cdn.example.com/triage.png",
        bot_config: { language: "en" },
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: "Triage",
      description: "Answers first",
      outgoing_url: "https://bots.example.com/triage",
      avatar_url: "https://cdn.example.com/triage.png",
      thumbnail: "https://cdn.example.com/triage.png",
      bot_type: "webhook",
      bot_config: { language: "en" },
      account_id: w.account.id,
      system_bot: false,
    });
    const token: string = created.body.access_token;
    expect(token).toMatch(/^bot_[1-9A-HJ-NP-Za-km-z]{32}$/);
    expect(created.body.secret).toMatch(/^whsec_/);

    const row = await botRow(created.body.id);
    expect(row.tokenHash).toBe(await sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const shown = await as(w.admin).get(`${bots(w)}/${row.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.access_token).toBeUndefined();
    expect(shown.body.secret).toBe(created.body.secret);
    expect(shown.text).not.toContain(token);

    const listed = await as(w.agent).get(bots(w));
    expect(listed.status).toBe(200);
    const mine = listed.body.find((b: { id: number }) => b.id === row.id);
    expect(mine).toMatchObject({ id: row.id, name: "Triage", outgoing_url: "https://bots.example.com/triage" });
    // An agent reads bots, never their secrets.
    expect(mine.secret).toBeUndefined();
    expect(listed.text).not.toContain(created.body.secret);

    const patched = await as(w.admin).patch(`${bots(w)}/${row.id}`, { description: null, name: "Triage 2" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "Triage 2", description: null, outgoing_url: row.outgoingUrl });
    const put = await as(w.admin).put(`${bots(w)}/${row.id}`, { outgoing_url: "" });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: "Triage 2", outgoing_url: null });

    const removed = await as(w.admin).delete(`${bots(w)}/${row.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ message: "Agent bot deleted" });
    expectError(await as(w.admin).get(`${bots(w)}/${row.id}`), 404, "Agent bot not found");
    expect(await botRow(row.id)).toBeUndefined();
  });

  it("refuses bad input with 422 and writes nothing", async () => {
    const w = await createWorld();
    const before = await testDb().select().from(agentBots);
    const cases: [Record<string, unknown>, string][] = [
      [{}, "name"],
      [{ name: "  " }, "name"],
      [{ name: "X", bot_type: "csml" }, "bot_type"],
      [{ name: "X", outgoing_url: "ftp://bots.example.com" }, "outgoing_url"],
      [{ name: "X", outgoing_url: "http://127.0.0.1:9000/hook" }, "outgoing_url"],
      [{ name: "X", outgoing_url: "http://10.0.0.7/hook" }, "outgoing_url"],
      [{ name: "X", avatar_url: "javascript:alert(1)" }, "avatar_url"],
      [{ name: "X", bot_config: "not json" }, "bot_config"],
    ];
    for (const [body, field] of cases) {
      const res = await as(w.admin).post(bots(w), body);
      expectError(res, 422);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await testDb().select().from(agentBots)).toEqual(before);
    const bot = await createBot(w);
    expectError(await as(w.admin).patch(`${bots(w)}/${bot.id}`, { outgoing_url: "http://192.168.1.4/" }), 422);
    expect((await botRow(bot.id)).outgoingUrl).toBeNull();
    expectError(await as(w.admin).get(`${bots(w)}/999999`), 404, "Agent bot not found");
    expectError(await as(w.admin).patch(`${bots(w)}/999999`, { name: "X" }), 404);
    expectError(await as(w.admin).delete(`${bots(w)}/999999`), 404);
  });

  it("lets only administrators write; agents read without secrets", async () => {
    const w = await createWorld();
    const bot = await createBot(w);
    expectError(await as(w.agent).post(bots(w), { name: "Nope" }), 403);
    expectError(await as(w.agent).patch(`${bots(w)}/${bot.id}`, { name: "Nope" }), 403);
    expectError(await as(w.agent).delete(`${bots(w)}/${bot.id}`), 403);
    expectError(await as(w.agent).post(`${bots(w)}/${bot.id}/reset_access_token`), 403);
    expectError(await as(w.agent).post(`${bots(w)}/${bot.id}/reset_secret`), 403);
    const shown = await as(w.outsider).get(`${bots(w)}/${bot.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.secret).toBeUndefined();
    expectError(await api("GET", bots(w)), 401, "Invalid Access Token");
    expect((await botRow(bot.id)).name).toBe(bot.name);
  });

  it("resets the token (the old one stops at once) and rotates the secret with the previous one kept", async () => {
    const w = await createWorld();
    const bot = await createBot(w);
    const { path } = await createConversation(w);
    await attachBot(w, w.inbox.id, bot.id);
    expect((await as(bot).get(path)).status).toBe(200);

    const reset = await as(w.admin).post(`${bots(w)}/${bot.id}/reset_access_token`);
    expect(reset.status).toBe(200);
    const fresh: string = reset.body.access_token;
    expect(fresh).toMatch(/^bot_/);
    expect(fresh).not.toBe(bot.token);
    expect((await botRow(bot.id)).tokenHash).toBe(await sha256Hex(fresh));
    expectError(await as(bot).get(path), 401, "Invalid Access Token");
    expect((await as({ token: fresh }).get(path)).status).toBe(200);

    const rotated = await as(w.admin).post(`${bots(w)}/${bot.id}/reset_secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(bot.secret);
    expect(rotated.body.access_token).toBeUndefined();
    const row = await botRow(bot.id);
    expect(row.previousSecret).toBe(bot.secret);
    expect(row.previousSecretExpiresAt).toBeGreaterThan(Date.now());
  });

  it("deletes a bot that inboxes, conversations and deliveries name, clearing them in one batch", async () => {
    const w = await createWorld();
    const bot = await createBot(w);
    await pointBotAt(bot.id, receiver("doomed-bot").url);
    await attachBot(w, w.inbox.id, bot.id);
    const { conversation } = await createConversation(w, { message: { content: "Hello from an agent" } });
    expect(conversation.status).toBe("pending");
    const db = testDb();
    const [conv] = await db.select().from(conversations).where(eq(conversations.uuid, conversation.uuid));
    expect(conv.assigneeAgentBotId).toBe(bot.id);
    const botDeliveries = await db.select().from(deliveries).where(eq(deliveries.agentBotId, bot.id));
    expect(botDeliveries.length).toBeGreaterThan(0);

    expect((await as(w.admin).delete(`${bots(w)}/${bot.id}`)).status).toBe(200);
    expect((await db.select().from(inboxes).where(eq(inboxes.id, w.inbox.id)))[0].agentBotId).toBeNull();
    const [after] = await db.select().from(conversations).where(eq(conversations.id, conv.id));
    expect(after).toMatchObject({ assigneeAgentBotId: null, status: "pending" });
    expect(await db.select().from(deliveries).where(eq(deliveries.agentBotId, bot.id))).toEqual([]);
    expect((await db.select().from(events).where(eq(events.id, botDeliveries[0].eventId))).length).toBe(1);
  });
});

describe("agent bots: events", () => {
  it("sends a bot its inbox's messages and status changes, as Chatwoot's AgentBotListener", () => {
    expect([...BOT_EVENTS].sort()).toEqual(["conversation_status_changed", "message_created", "message_updated"]);
  });
});

describe("agent bots: when their account goes", () => {
  it("are deleted with it, inboxes, held conversations and deliveries included", async () => {
    const w = await createWorld();
    const bot = await createBot(w);
    await pointBotAt(bot.id, receiver("gone-bot").url);
    await attachBot(w, w.inbox.id, bot.id);
    await createConversation(w, { message: { content: "Hello" } });
    expect((await platform().delete(`/platform/api/v1/accounts/${w.account.id}`)).status).toBe(200);
    expect(await botRow(bot.id)).toBeUndefined();
    expect(await testDb().select().from(deliveries).where(eq(deliveries.agentBotId, bot.id))).toEqual([]);
  });
});

describe("agent bots: tenancy", () => {
  it("answers 404 for another account's bot on every route, and keeps its bot out of this account", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const bBot = await createBot(b, { outgoing_url: "https://bots.example.com/b" });
    const row = await botRow(bBot.id);
    const foreign = as(a.admin);
    for (const res of [
      await foreign.get(`${bots(a)}/${bBot.id}`),
      await foreign.patch(`${bots(a)}/${bBot.id}`, { name: "Stolen" }),
      await foreign.put(`${bots(a)}/${bBot.id}`, { name: "Stolen" }),
      await foreign.delete(`${bots(a)}/${bBot.id}`),
      await foreign.post(`${bots(a)}/${bBot.id}/reset_access_token`),
      await foreign.post(`${bots(a)}/${bBot.id}/reset_secret`),
      await foreign.post(`${a.base}/inboxes/${a.inbox.id}/set_agent_bot`, { agent_bot: bBot.id }),
    ])
      expectError(res, 404, "Agent bot not found");
    // B's account in the path: never A's to use.
    expectError(await foreign.get(bots(b)), 404, "Account not found");
    expectError(await foreign.get(`${bots(b)}/${bBot.id}`), 404, "Account not found");
    const listed = await foreign.get(bots(a));
    expect(listed.body.map((x: { id: number }) => x.id)).not.toContain(bBot.id);
    expect(await botRow(bBot.id)).toEqual(row);
    expect((await testDb().select().from(inboxes).where(eq(inboxes.id, a.inbox.id)))[0].agentBotId).toBeNull();

    // B's bot token does not open A's account, nor B's conversations outside its inboxes.
    const { path } = await createConversation(a);
    expectError(await as(bBot).get(path), 404, "Account not found");
    const bConversation = await createConversation(b);
    expectError(await as(bBot).get(bConversation.path), 404, "Conversation not found");
  });
});

describe("agent bots: platform bots", () => {
  it("are created by the operator, usable (not changeable) by every account, and deleted everywhere", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const created = await platform().post("/platform/api/v1/agent_bots", {
      name: "Shared FAQ",
      outgoing_url: "https://platform.example.com/bot",
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      account_id: null,
      system_bot: true,
      outgoing_url: "https://platform.example.com/bot",
    });
    expect(created.body.access_token).toMatch(/^bot_/);
    expect(created.body.secret).toMatch(/^whsec_/);
    const id: number = created.body.id;

    for (const w of [a, b]) {
      const listed = await as(w.admin).get(bots(w));
      const shared = listed.body.find((x: { id: number }) => x.id === id);
      expect(shared).toMatchObject({ id, name: "Shared FAQ", account_id: null, system_bot: true });
      // The operator's URL and secret are not the accounts'.
      expect(shared.outgoing_url).toBeUndefined();
      expect(shared.secret).toBeUndefined();
      expect(listed.text).not.toContain(created.body.secret);
      expect((await as(w.agent).get(`${bots(w)}/${id}`)).status).toBe(200);
      expectError(await as(w.admin).patch(`${bots(w)}/${id}`, { name: "Mine" }), 404);
      expectError(await as(w.admin).delete(`${bots(w)}/${id}`), 404);
      expectError(await as(w.admin).post(`${bots(w)}/${id}/reset_access_token`), 404);
      await attachBot(w, w.inbox.id, id);
    }
    const { conversation } = await createConversation(a);
    expect(conversation.meta).toMatchObject({ assignee_type: "AgentBot", assignee: { id, name: "Shared FAQ" } });

    const shown = await platform().get(`/platform/api/v1/agent_bots/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.secret).toBe(created.body.secret);
    expect(shown.body.access_token).toBeUndefined();
    const patched = await platform().patch(`/platform/api/v1/agent_bots/${id}`, { name: "Shared FAQ 2" });
    expect(patched.body).toMatchObject({ id, name: "Shared FAQ 2" });
    const all = await platform().get("/platform/api/v1/agent_bots");
    expect(all.body.map((x: { id: number }) => x.id)).toContain(id);

    expect((await platform().delete(`/platform/api/v1/agent_bots/${id}`)).status).toBe(200);
    for (const w of [a, b])
      expect((await testDb().select().from(inboxes).where(eq(inboxes.id, w.inbox.id)))[0].agentBotId).toBeNull();
    expectError(await platform().get(`/platform/api/v1/agent_bots/${id}`), 404, "Agent bot not found");
  });

  it("creates an account's bot with account_id, refuses an unknown account, needs the operator", async () => {
    const w = await createWorld();
    const owned = await platform().post("/platform/api/v1/agent_bots", { name: "Owned", account_id: w.account.id });
    expect(owned.status).toBe(200);
    expect(owned.body).toMatchObject({ account_id: w.account.id, system_bot: false });
    const shown = await as(w.admin).get(`${bots(w)}/${owned.body.id}`);
    expect(shown.body.secret).toBe(owned.body.secret);
    const unknown = await platform().post("/platform/api/v1/agent_bots", { name: "Lost", account_id: 99_999_999 });
    expectError(unknown, 422);
    expect(unknown.body.details).toEqual([{ field: "account_id", message: "does not exist" }]);
    expectError(await as(w.admin).get("/platform/api/v1/agent_bots"), 401, "Invalid Access Token");
    expectError(await as(w.admin).post("/platform/api/v1/agent_bots", { name: "X" }), 401);
    expectError(await platform().post("/platform/api/v1/agent_bots", { name: "" }), 422);
  });
});

describe("agent bots: an inbox's bot", () => {
  it("is set by administrators (the account's or a platform bot), read by members, and cleared with null", async () => {
    const w = await createWorld();
    const bot = await createBot(w);
    const inboxBot = `${w.base}/inboxes/${w.inbox.id}/agent_bot`;
    const none = await as(w.agent).get(inboxBot);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ agent_bot: {} });

    const set = await attachBot(w, w.inbox.id, bot.id);
    expect(set.body.agent_bot).toMatchObject({ id: bot.id, name: bot.name });
    const read = await as(w.agent).get(inboxBot);
    expect(read.body.agent_bot).toMatchObject({ id: bot.id, name: bot.name, account_id: w.account.id });
    expect(read.body.agent_bot.secret).toBeUndefined();
    expect((await as(w.admin).get(inboxBot)).body.agent_bot.secret).toBe(bot.secret);

    // An id sent as a string, as form clients do; then detached with null, and with no body at all.
    expect((await attachBot(w, w.inbox.id, String(bot.id) as never)).body.agent_bot.id).toBe(bot.id);
    expect((await attachBot(w, w.inbox.id, null)).body).toEqual({ agent_bot: {} });
    expect((await as(w.agent).get(inboxBot)).body).toEqual({ agent_bot: {} });
    await attachBot(w, w.inbox.id, bot.id);
    const cleared = await api("POST", `${w.base}/inboxes/${w.inbox.id}/set_agent_bot`, undefined, {
      token: w.admin.token,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ agent_bot: {} });

    // A bot that leaves the inbox lets go of the conversations it held there (they stay pending).
    await attachBot(w, w.inbox.id, bot.id);
    const { conversation } = await createConversation(w);
    const held = async () =>
      (await testDb().select().from(conversations).where(eq(conversations.uuid, conversation.uuid)))[0];
    expect(await held()).toMatchObject({ status: "pending", assigneeAgentBotId: bot.id });
    const platformBot = await createPlatformBot();
    expect((await attachBot(w, w.inbox.id, platformBot.id)).body.agent_bot).toMatchObject({
      id: platformBot.id,
      system_bot: true,
    });
    expect(await held()).toMatchObject({ status: "pending", assigneeAgentBotId: null });
  });

  it("refuses agents, unknown bots and inboxes, and hides inboxes the caller is not a member of", async () => {
    const w = await createWorld();
    const bot = await createBot(w);
    const setBot = (inboxId: number) => `${w.base}/inboxes/${inboxId}/set_agent_bot`;
    expectError(await as(w.agent).post(setBot(w.inbox.id), { agent_bot: bot.id }), 403);
    expectError(await as(w.admin).post(setBot(w.inbox.id), { agent_bot: 987_654 }), 404, "Agent bot not found");
    expectError(await as(w.admin).post(setBot(987_654), { agent_bot: bot.id }), 404, "Inbox not found");
    expectError(await as(w.admin).post(setBot(w.inbox.id), { agent_bot: "abc" }), 422);
    expectError(await as(w.outsider).get(`${w.base}/inboxes/${w.inbox.id}/agent_bot`), 404, "Inbox not found");
    expectError(await as(w.agent).get(`${w.base}/inboxes/${w.otherInbox.id}/agent_bot`), 404, "Inbox not found");
    expect((await testDb().select().from(inboxes).where(eq(inboxes.id, w.inbox.id)))[0].agentBotId).toBeNull();
  });

  it("never shows a bot as an agent", async () => {
    const w = await createWorld();
    const bot = await createBot(w, { name: unique("Helper") });
    await attachBot(w, w.inbox.id, bot.id);
    const agents = await as(w.admin).get(`${w.base}/agents`);
    expect(agents.text).not.toContain(bot.name);
    const assignable = await as(w.admin).get(`${w.base}/inboxes/${w.inbox.id}/assignable_agents`);
    expect(assignable.status).toBe(200);
    expect(assignable.text).not.toContain(bot.name);
    const members = await as(w.admin).get(`${w.base}/inbox_members/${w.inbox.id}`);
    expect(members.text).not.toContain(bot.name);
  });
});
