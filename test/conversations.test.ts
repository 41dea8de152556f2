import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { as, createContact, createConversation, createWorld, expectError } from "./helpers/factories";
import { api } from "./helpers/api";

const activities = async (conversationUuid: string) => {
  const { results } = await env.DB.prepare(
    "select content from messages where message_type = 'activity' and " +
      "conversation_id = (select id from conversations where uuid = ?) order by id",
  )
    .bind(conversationUuid)
    .all<{ content: string }>();
  return results.map((r) => r.content);
};

describe("conversations: happy path", () => {
  it("creates from inbox_id + contact_id with a first message, in Chatwoot's shape", async () => {
    const w = await createWorld();
    const { contact, sourceId } = await createContact(w);
    const res = await as(w.agent).post(`${w.base}/conversations`, {
      inbox_id: String(w.inbox.id),
      contact_id: contact.id,
      custom_attributes: { order: "A-1" },
      message: { content: "How can we help?" },
    });
    expect(res.status).toBe(200);
    const conv = res.body;
    expect(conv).toMatchObject({
      id: 1,
      account_id: w.account.id,
      inbox_id: w.inbox.id,
      status: "open",
      priority: null,
      labels: [],
      custom_attributes: { order: "A-1" },
      contact_inbox: { source_id: sourceId },
      meta: {
        sender: { id: contact.id, type: "contact" },
        channel: "Channel::Api",
        assignee_type: null,
        hmac_verified: false,
      },
      unread_count: 0,
    });
    expect(conv.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(conv.messages).toHaveLength(1);
    expect(conv.messages[0]).toMatchObject({
      content: "How can we help?",
      message_type: 1,
      conversation_id: 1,
      sender: { id: w.agent.id, type: "user" },
    });
    expect(conv.last_non_activity_message.id).toBe(conv.messages[0].id);
    expect(typeof conv.created_at).toBe("number");
    expect(conv.first_reply_created_at).toBeGreaterThan(0);
  });

  it("creates from a source_id and numbers conversations per account", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const first = await createConversation(a);
    const res = await as(a.admin).post(`${a.base}/conversations`, { source_id: first.sourceId });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(2);
    expect(res.body.meta.sender.id).toBe(first.contact.id);
    const other = await createConversation(b);
    expect(other.conversation.id).toBe(1);
  });

  it("hands out unique display ids under concurrent creates", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.map((r) => r.body.id).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("lists with the data envelope, filters and the four counts", async () => {
    const w = await createWorld();
    const c1 = await createConversation(w);
    const c2 = await createConversation(w);
    const c3 = await createConversation(w);
    await as(w.admin).post(`${c1.path}/assignments`, { assignee_id: w.admin.id });
    await as(w.admin).post(`${c2.path}/assignments`, { assignee_id: w.agent.id });
    await as(w.admin).post(`${c3.path}/toggle_status`, { status: "resolved" });
    await as(w.admin).post(`${c2.path}/labels`, { labels: ["vip", "billing"] });

    const all = await as(w.admin).get(
      `${w.base}/conversations?assignee_type=all&status=open&page=1&q=&inbox_id=&team_id=&labels=`,
    );
    expect(all.status).toBe(200);
    expect(all.body.data.meta).toEqual({ mine_count: 1, assigned_count: 2, unassigned_count: 0, all_count: 2 });
    expect(all.body.data.payload.map((c: any) => c.id).sort()).toEqual([1, 2]);

    const mine = await as(w.admin).get(`${w.base}/conversations`, { assignee_type: "me" });
    expect(mine.body.data.payload.map((c: any) => c.id)).toEqual([1]);
    const resolved = await as(w.admin).get(`${w.base}/conversations`, { status: "resolved" });
    expect(resolved.body.data.payload.map((c: any) => c.id)).toEqual([3]);
    const everything = await as(w.admin).get(`${w.base}/conversations`, { status: "all", sort_by: "created_at_asc" });
    expect(everything.body.data.payload.map((c: any) => c.id)).toEqual([1, 2, 3]);
    const labelled = await as(w.admin).get(`${w.base}/conversations`, { labels: "vip" });
    expect(labelled.body.data.payload.map((c: any) => c.id)).toEqual([2]);
    // Rails clients repeat `labels[]`; the counts follow the filter too.
    const railsStyle = await as(w.admin).get(`${w.base}/conversations?labels[]=vip&labels[]=nothing`);
    expect(railsStyle.body.data.payload.map((c: any) => c.id)).toEqual([2]);
    expect(railsStyle.body.data.meta.all_count).toBe(1);
    const agentView = await as(w.agent).get(`${w.base}/conversations`, { assignee_type: "me" });
    expect(agentView.body.data.payload[0].meta.assignee).toMatchObject({ id: w.agent.id, type: "user" });

    await as(w.admin).post(`${c1.path}/messages`, { content: "the blue widget is broken" });
    const searched = await as(w.admin).get(`${w.base}/conversations`, { q: "BLUE widget" });
    expect(searched.body.data.payload.map((c: any) => c.id)).toEqual([1]);

    const meta = await as(w.admin).get(`${w.base}/conversations/meta`, { status: "all" });
    expect(meta.body).toEqual({ meta: { mine_count: 1, assigned_count: 2, unassigned_count: 1, all_count: 3 } });
  });

  it("toggles status with Chatwoot's response and records activity", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const resolved = await as(w.agent).post(`${path}/toggle_status`);
    expect(resolved.body).toEqual({
      meta: {},
      payload: { success: true, conversation_id: conversation.id, current_status: "resolved", snoozed_until: null },
    });
    const reopened = await as(w.agent).post(`${path}/toggle_status`, {});
    expect(reopened.body.payload.current_status).toBe("open");
    const until = Math.floor(Date.now() / 1000) + 3600;
    const snoozed = await as(w.agent).post(`${path}/toggle_status`, { status: "snoozed", snoozed_until: until });
    expect(snoozed.body.payload).toMatchObject({ current_status: "snoozed", snoozed_until: until });
    const shown = await as(w.agent).get(path);
    expect(shown.body).toMatchObject({ status: "snoozed", snoozed_until: until });
    expect(await activities(conversation.uuid)).toEqual([
      "Conversation was marked resolved by Agent",
      "Conversation was reopened by Agent",
      "Conversation was snoozed by Agent",
    ]);
  });

  it("sets priority, assignments, team, labels and custom attributes", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    expect((await as(w.admin).post(`${path}/toggle_priority`, { priority: "high" })).status).toBe(200);
    const patched = await as(w.admin).patch(path, { priority: "urgent" });
    expect(patched.body.priority).toBe("urgent");

    const assigned = await as(w.admin).post(`${path}/assignments`, { assignee_id: String(w.agent.id) });
    expect(assigned.body).toMatchObject({ id: w.agent.id, role: "agent", email: w.agent.email });
    const unassigned = await as(w.admin).post(`${path}/assignments`, { assignee_id: null });
    expect(unassigned.status).toBe(200);
    expect(unassigned.body).toBeNull();
    await as(w.agent).post(`${path}/assignments`, { assignee_id: w.agent.id });

    const team = await w.db
      .insert((await import("../src/db/schema")).teams)
      .values({ accountId: w.account.id, name: "Tier 2" })
      .returning();
    const teamRes = await as(w.admin).post(`${path}/assignments`, { team_id: team[0].id });
    expect(teamRes.body).toMatchObject({ id: team[0].id, name: "Tier 2" });
    expect((await as(w.admin).get(path)).body.meta.team).toMatchObject({ name: "Tier 2" });
    expect((await as(w.admin).post(`${path}/assignments`, { team_id: 0 })).body).toBeNull();

    const labels = await as(w.admin).post(`${path}/labels`, { labels: ["billing", "vip", "billing"] });
    expect(labels.body).toEqual({ payload: ["billing", "vip"] });
    await as(w.admin).post(`${path}/labels`, { labels: ["vip"] });
    expect((await as(w.admin).get(`${path}/labels`)).body).toEqual({ payload: ["vip"] });

    const attrs = await as(w.admin).post(`${path}/custom_attributes`, { custom_attributes: { plan: "pro", seats: 5 } });
    expect(attrs.body).toEqual({ custom_attributes: { plan: "pro", seats: 5 } });
    const removed = await as(w.admin).post(`${path}/destroy_custom_attributes`, { custom_attributes: ["seats"] });
    expect(removed.body).toEqual({ custom_attributes: { plan: "pro" } });

    expect(await activities(conversation.uuid)).toEqual([
      "Admin set the priority to high",
      "Admin changed the priority from high to urgent",
      "Assigned to Agent by Admin",
      "Conversation unassigned by Admin",
      "Agent self-assigned this conversation",
      "Assigned to Tier 2 by Admin",
      "Unassigned from Tier 2 by Admin",
      "Admin added billing, vip",
      "Admin removed billing",
    ]);
  });
});

describe("conversations: errors", () => {
  it("validates the create body and changes nothing", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    expectError(await as(w.admin).post(`${w.base}/conversations`, {}), 422);
    expectError(
      await as(w.admin).post(`${w.base}/conversations`, {
        inbox_id: w.inbox.id,
        contact_id: contact.id,
        status: "closed",
      }),
      422,
    );
    expectError(
      await as(w.admin).post(`${w.base}/conversations`, { inbox_id: 999999, contact_id: contact.id }),
      404,
      "Inbox not found",
    );
    expectError(
      await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: 999999 }),
      404,
      "Contact not found",
    );
    expectError(await as(w.admin).post(`${w.base}/conversations`, { source_id: "nope" }), 404);
    expectError(
      await as(w.admin).post(`${w.base}/conversations`, {
        inbox_id: w.inbox.id,
        contact_id: contact.id,
        assignee_id: 999999,
      }),
      404,
      "Agent not found",
    );
    expectError(
      await api("POST", `${w.base}/conversations`, undefined, {
        token: w.admin.token,
        raw: "[1,",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    const { results } = await env.DB.prepare("select count(*) n from conversations where account_id = ?")
      .bind(w.account.id)
      .all();
    expect(results[0].n).toBe(0);
  });

  it("answers unknown conversations and bad bodies with the envelope", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    expectError(await as(w.admin).get(`${w.base}/conversations/999`), 404, "Conversation not found");
    expectError(await as(w.admin).post(`${path}/toggle_status`, { status: "done" }), 422);
    expectError(await as(w.admin).post(`${path}/toggle_priority`, { priority: "extreme" }), 422);
    expectError(await as(w.admin).post(`${path}/assignments`, { assignee_id: 999999 }), 404, "Agent not found");
    expectError(await as(w.admin).post(`${path}/assignments`, { team_id: 999999 }), 404, "Team not found");
    expectError(await as(w.admin).post(`${path}/labels`, { labels: [{}] }), 422);
    expectError(await as(w.admin).post(`${path}/custom_attributes`, { custom_attributes: "nope" }), 422);
    expectError(await as(w.admin).get(`${w.base}/conversations`, { status: "closed" }), 422);
  });
});

describe("conversations: security", () => {
  it("hides conversations of inboxes an agent is not a member of", async () => {
    const w = await createWorld();
    const visible = await createConversation(w);
    const hidden = await createConversation(w, { inbox_id: w.otherInbox.id });
    const list = await as(w.agent).get(`${w.base}/conversations`);
    expect(list.body.data.payload.map((c: any) => c.id)).toEqual([visible.conversation.id]);
    expect(list.body.data.meta.all_count).toBe(1);
    const missing = await as(w.agent).get(`${w.base}/conversations/999`);
    const denied = await as(w.agent).get(hidden.path);
    expect(denied.status).toBe(404);
    expect(denied.body).toEqual(missing.body);
    expectError(await as(w.agent).post(`${hidden.path}/toggle_status`), 404);
    expectError(await as(w.outsider).get(visible.path), 404);
    const { contact } = await createContact(w);
    expectError(
      await as(w.agent).post(`${w.base}/conversations`, { inbox_id: w.otherInbox.id, contact_id: contact.id }),
      404,
      "Inbox not found",
    );
    expect((await as(w.admin).get(hidden.path)).body.status).toBe("open");
  });

  it("never reaches another account's contacts, inboxes, agents or conversations", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const bConv = await createConversation(b);
    const aConv = await createConversation(a);
    expectError(
      await as(a.admin).post(`${a.base}/conversations`, { inbox_id: b.inbox.id, contact_id: bConv.contact.id }),
      404,
    );
    expectError(await as(a.admin).post(`${a.base}/conversations`, { source_id: bConv.sourceId }), 404);
    expectError(
      await as(a.admin).post(`${aConv.path}/assignments`, { assignee_id: b.agent.id }),
      404,
      "Agent not found",
    );
    expectError(await as(a.admin).get(bConv.path), 404, "Account not found");
    expectError(await as(a.admin).post(`${bConv.path}/toggle_status`), 404, "Account not found");
    expectError(await api("GET", aConv.path), 401);
    expect((await as(b.admin).get(bConv.path)).body.status).toBe("open");
  });
});
