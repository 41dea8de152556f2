import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { and, eq, isNull } from "drizzle-orm";
import { accountUsers, conversations, teamMembers, teams, webhooks } from "../src/db/schema";
import {
  createContact as createContactApi,
  as,
  createWorld,
  serviceContext,
  testDb,
  unique,
  type World,
} from "./helpers/factories";
import { addInboxMembers, createInbox, newSigningSecret } from "../src/services/inboxes";
import { receiver } from "./helpers/receiver";
import { addToAccount, createUser } from "../src/services/users";
import { handleScheduled } from "../src/cron";

type Agent = { id: number; token: string; name: string };

/** A routed inbox with the given agents (name → availability) as its only members. */
async function routedInbox(
  w: World,
  agents: Record<string, "online" | "busy" | "offline">,
  config: Record<string, unknown> = {},
) {
  const db = testDb();
  const inbox = await createInbox(serviceContext(w.account.id), {
    name: unique("Routed"),
    enable_auto_assignment: true,
    auto_assignment_config: config,
  });
  const members: Record<string, Agent> = {};
  for (const [name, availability] of Object.entries(agents)) {
    const { user, token } = await createUser(db, { name, email: `${unique(name.toLowerCase())}@example.test` });
    await addToAccount(db, w.account.id, user.id, "agent", availability);
    members[name] = { id: user.id, token, name };
  }
  await addInboxMembers(
    db,
    inbox.id,
    Object.values(members).map((m) => m.id),
  );
  return { inbox, members };
}

async function newConversation(w: World, inboxId: number) {
  const { contact } = await createContactApi(w, { inbox_id: inboxId });
  const res = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: inboxId, contact_id: contact.id });
  if (res.status !== 200) throw new Error(res.text);
  return res.body;
}

async function load(inboxId: number) {
  const rows = await testDb()
    .select()
    .from(conversations)
    .where(and(eq(conversations.inboxId, inboxId), eq(conversations.status, "open")));
  const perAgent = new Map<number | null, number>();
  for (const r of rows) perAgent.set(r.assigneeId, (perAgent.get(r.assigneeId) ?? 0) + 1);
  return perAgent;
}

describe("routing", () => {
  it("balances 12 new conversations 4/4/4 over three online agents and skips the offline one", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "online", Bo: "online", Cy: "online", Dee: "offline" });
    const first = await newConversation(w, inbox.id);
    expect(first.meta.assignee).toMatchObject({ type: "user" });
    for (let i = 1; i < 12; i++) await newConversation(w, inbox.id);
    const perAgent = await load(inbox.id);
    expect([members.Ann, members.Bo, members.Cy, members.Dee].map((m) => perAgent.get(m.id) ?? 0)).toEqual([
      4, 4, 4, 0,
    ]);
    expect(perAgent.get(null)).toBeUndefined();
    const activity = await env.DB.prepare(
      "select content from messages where message_type = 'activity' and inbox_id = ? order by id limit 1",
    )
      .bind(inbox.id)
      .first<{ content: string }>();
    expect(activity?.content).toMatch(/^Assigned to (Ann|Bo|Cy) by Automation System$/);
  });

  it("respects the limit, keeps a backlog, and gives freed capacity to the oldest waiting", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(
      w,
      { Ann: "online", Bo: "online", Cy: "online" },
      { max_assignment_limit: 2 },
    );
    const created = [];
    for (let i = 0; i < 8; i++) created.push(await newConversation(w, inbox.id));
    let perAgent = await load(inbox.id);
    expect(perAgent.get(null)).toBe(2);
    expect([members.Ann, members.Bo, members.Cy].map((m) => perAgent.get(m.id))).toEqual([2, 2, 2]);
    const waiting = created.slice(6).map((c) => c.id);

    const bosConversation = created.find((c) => c.meta.assignee?.id === members.Bo.id)!;
    const resolved = await as(members.Bo).post(`${w.base}/conversations/${bosConversation.id}/toggle_status`, {
      status: "resolved",
    });
    expect(resolved.body.payload.current_status).toBe("resolved");
    const oldest = await as(w.admin).get(`${w.base}/conversations/${waiting[0]}`);
    expect(oldest.body.meta.assignee?.id).toBe(members.Bo.id);
    const younger = await as(w.admin).get(`${w.base}/conversations/${waiting[1]}`);
    expect(younger.body.meta.assignee).toBeUndefined();
    perAgent = await load(inbox.id);
    expect(perAgent.get(null)).toBe(1);
  });

  it("drains the backlog when an agent comes online", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "offline", Bo: "offline" }, { max_assignment_limit: 3 });
    for (let i = 0; i < 4; i++) await newConversation(w, inbox.id);
    expect((await load(inbox.id)).get(null)).toBe(4);
    const res = await as(members.Ann).post("/api/v1/profile/availability", {
      profile: { account_id: w.account.id, availability: "online" },
    });
    expect(res.status).toBe(200);
    const perAgent = await load(inbox.id);
    expect(perAgent.get(members.Ann.id)).toBe(3);
    expect(perAgent.get(null)).toBe(1);
    await as(w.admin).patch(`${w.base}/agents/${members.Bo.id}`, { availability: "online" });
    expect((await load(inbox.id)).get(members.Bo.id)).toBe(1);
  });

  it("never exceeds the limit when 20 conversations arrive at once", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(
      w,
      { Ann: "online", Bo: "online", Cy: "online" },
      { max_assignment_limit: 3 },
    );
    const contacts = await Promise.all(Array.from({ length: 20 }, () => createContactApi(w, { inbox_id: inbox.id })));
    const results = await Promise.all(
      contacts.map(({ contact }) =>
        as(w.admin).post(`${w.base}/conversations`, { inbox_id: inbox.id, contact_id: contact.id }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const perAgent = await load(inbox.id);
    expect([members.Ann, members.Bo, members.Cy].map((m) => perAgent.get(m.id))).toEqual([3, 3, 3]);
    expect(perAgent.get(null)).toBe(11);
  });

  it("routes a conversation with an auto-assigning team only among that team's members", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "online", Bo: "online", Cy: "online" });
    const [team] = await testDb()
      .insert(teams)
      .values({ accountId: w.account.id, name: unique("billing"), allowAutoAssign: true })
      .returning();
    await testDb().insert(teamMembers).values({ teamId: team.id, userId: members.Cy.id });
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const { contact } = await createContactApi(w, { inbox_id: inbox.id });
      const res = await as(w.admin).post(`${w.base}/conversations`, {
        inbox_id: inbox.id,
        contact_id: contact.id,
        team_id: team.id,
      });
      seen.add(res.body.meta.assignee.id);
    }
    expect([...seen]).toEqual([members.Cy.id]);
  });

  it("round_robin takes turns whatever the load; balanced goes to the least loaded", async () => {
    const w = await createWorld();
    for (const strategy of ["round_robin", "balanced"] as const) {
      const { inbox, members } = await routedInbox(w, { Ann: "online", Bo: "online" }, { strategy });
      await testDb()
        .update(accountUsers)
        .set({ availability: "offline" })
        .where(eq(accountUsers.userId, members.Bo.id));
      // Ann is handed two conversations while Bo is away; then Bo is back.
      await newConversation(w, inbox.id);
      await newConversation(w, inbox.id);
      await testDb().update(accountUsers).set({ availability: "online" }).where(eq(accountUsers.userId, members.Bo.id));
      const next = [];
      for (let i = 0; i < 2; i++) next.push((await newConversation(w, inbox.id)).meta.assignee.id);
      expect(next).toEqual(
        strategy === "round_robin" ? [members.Bo.id, members.Ann.id] : [members.Bo.id, members.Bo.id],
      );
    }
  });

  it("reassigns a returning contact's conversation when its agent is offline", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "online", Bo: "offline" });
    const conv = await newConversation(w, inbox.id);
    expect(conv.meta.assignee.id).toBe(members.Ann.id);
    await as(members.Ann).post("/api/v1/profile/availability", {
      profile: { account_id: w.account.id, availability: "offline" },
    });
    await as(members.Bo).post("/api/v1/profile/availability", {
      profile: { account_id: w.account.id, availability: "online" },
    });
    await as(w.admin).post(`${w.base}/conversations/${conv.id}/messages`, {
      content: "Anyone there?",
      message_type: "incoming",
    });
    const after = await as(w.admin).get(`${w.base}/conversations/${conv.id}`);
    expect(after.body.meta.assignee.id).toBe(members.Bo.id);

    // With the option off, the conversation stays with its agent.
    await as(w.admin).patch(`${w.base}/inboxes/${inbox.id}`, { reassign_when_offline: false });
    await as(members.Bo).post("/api/v1/profile/availability", {
      profile: { account_id: w.account.id, availability: "offline" },
    });
    await as(members.Ann).post("/api/v1/profile/availability", {
      profile: { account_id: w.account.id, availability: "online" },
    });
    await as(w.admin).post(`${w.base}/conversations/${conv.id}/messages`, {
      content: "Hello?",
      message_type: "incoming",
    });
    expect((await as(w.admin).get(`${w.base}/conversations/${conv.id}`)).body.meta.assignee.id).toBe(members.Bo.id);
  });

  it("reopens a resolved conversation when the contact writes again, and routes it", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "online" });
    const conv = await newConversation(w, inbox.id);
    await as(members.Ann).post(`${w.base}/conversations/${conv.id}/assignments`, { assignee_id: null });
    await testDb().update(accountUsers).set({ availability: "offline" }).where(eq(accountUsers.userId, members.Ann.id));
    await as(w.admin).post(`${w.base}/conversations/${conv.id}/toggle_status`, { status: "resolved" });
    await testDb().update(accountUsers).set({ availability: "online" }).where(eq(accountUsers.userId, members.Ann.id));
    await as(w.admin).post(`${w.base}/conversations/${conv.id}/messages`, {
      content: "Me again",
      message_type: "incoming",
    });
    const after = await as(w.admin).get(`${w.base}/conversations/${conv.id}`);
    expect(after.body).toMatchObject({ status: "open", meta: { assignee: { id: members.Ann.id } } });
  });

  it("reuses the contact's conversation with lock_to_single_conversation", async () => {
    const w = await createWorld();
    const { inbox } = await routedInbox(w, { Ann: "online" });
    await as(w.admin).patch(`${w.base}/inboxes/${inbox.id}`, { lock_to_single_conversation: true });
    const { contact } = await createContactApi(w, { inbox_id: inbox.id });
    const first = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: inbox.id, contact_id: contact.id });
    const second = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: inbox.id, contact_id: contact.id });
    expect(second.body.id).toBe(first.body.id);
  });

  it("the cron picks up conversations left waiting", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "offline" });
    await newConversation(w, inbox.id);
    await testDb().update(accountUsers).set({ availability: "online" }).where(eq(accountUsers.userId, members.Ann.id));
    await handleScheduled(env);
    const [row] = await testDb()
      .select()
      .from(conversations)
      .where(and(eq(conversations.inboxId, inbox.id), isNull(conversations.teamId)));
    expect(row.assigneeId).toBe(members.Ann.id);
  });

  it("reports assignable agents and a routing summary", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "online", Bo: "offline" }, { max_assignment_limit: 1 });
    await newConversation(w, inbox.id);
    await newConversation(w, inbox.id);
    const agents = await as(w.admin).get(`${w.base}/inboxes/${inbox.id}/assignable_agents`);
    expect(agents.body.payload.map((a: any) => a.id)).toEqual([members.Ann.id, members.Bo.id]);
    const summary = await as(w.admin).get(`${w.base}/inboxes/${inbox.id}/routing`);
    expect(summary.body).toMatchObject({
      strategy: "balanced",
      max_assignment_limit: 1,
      enable_auto_assignment: true,
      unassigned_count: 1,
      agents: [
        { id: members.Ann.id, open_conversations: 1, availability_status: "online" },
        { id: members.Bo.id, open_conversations: 0, availability_status: "offline" },
      ],
    });
    expect(summary.body.oldest_waiting_since).toEqual(expect.any(Number));
    expect((await as(w.agent).get(`${w.base}/inboxes/${inbox.id}/routing`)).status).toBe(403);
    expect((await as(w.agent).get(`${w.base}/inboxes/${inbox.id}/assignable_agents`)).status).toBe(404);
  });
});

describe("routing: events and edge triggers", () => {
  it("emits conversation_updated with assignee_id changed_attributes for an automatic assignment", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "online" });
    const r = receiver("routed");
    await testDb()
      .insert(webhooks)
      .values({
        accountId: w.account.id,
        url: r.url,
        subscriptions: ["conversation_updated"],
        secret: newSigningSecret(),
      });
    const conv = await newConversation(w, inbox.id);
    const [body] = await vi.waitFor(
      async () => {
        const got = (await r.requests()).map((x) => JSON.parse(x.body));
        if (!got.length) throw new Error("nothing yet");
        return got;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(body).toMatchObject({
      event: "conversation_updated",
      id: conv.id,
      changed_attributes: [{ assignee_id: { previous_value: null, current_value: members.Ann.id } }],
      meta: { assignee: { id: members.Ann.id } },
    });
  });

  it("hands a conversation an agent was unassigned from to the backlog's next agent", async () => {
    const w = await createWorld();
    const { inbox, members } = await routedInbox(w, { Ann: "online", Bo: "offline" });
    const conv = await newConversation(w, inbox.id);
    expect(conv.meta.assignee.id).toBe(members.Ann.id);
    await testDb().update(accountUsers).set({ availability: "offline" }).where(eq(accountUsers.userId, members.Ann.id));
    await testDb().update(accountUsers).set({ availability: "online" }).where(eq(accountUsers.userId, members.Bo.id));
    await as(w.admin).post(`${w.base}/conversations/${conv.id}/assignments`, { assignee_id: null });
    expect((await as(w.admin).get(`${w.base}/conversations/${conv.id}`)).body.meta.assignee.id).toBe(members.Bo.id);
  });

  it("keeps a resolved conversation resolved when the inbox does not allow messages after resolution", async () => {
    const w = await createWorld();
    const { inbox } = await routedInbox(w, { Ann: "online" });
    await as(w.admin).patch(`${w.base}/inboxes/${inbox.id}`, { allow_messages_after_resolved: false });
    const conv = await newConversation(w, inbox.id);
    await as(w.admin).post(`${w.base}/conversations/${conv.id}/toggle_status`, { status: "resolved" });
    const sent = await as(w.admin).post(`${w.base}/conversations/${conv.id}/messages`, {
      content: "late",
      message_type: "incoming",
    });
    expect(sent.status).toBe(200);
    expect((await as(w.admin).get(`${w.base}/conversations/${conv.id}`)).body.status).toBe("resolved");
  });
});
