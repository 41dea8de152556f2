import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { as, createContact, createConversation, createWorld, platform, type World } from "./helpers/factories";
import { client, startConversation } from "./helpers/public-client";
import { api, type ApiResponse } from "./helpers/api";
import { consoleSession } from "./helpers/sessions";

/** D1 round trips from `Server-Timing: d1;desc="<N> round trips";dur=<ms>`. */
function roundTrips(res: ApiResponse): number {
  const header = res.headers.get("server-timing") ?? "";
  const match = header.match(/d1;desc="(\d+) round trips";dur=[\d.]+/);
  if (!match) throw new Error(`no d1 Server-Timing in ${JSON.stringify(header)} (status ${res.status})`);
  return Number(match[1]);
}

describe("D1 round trips per request (auth included)", () => {
  it("keeps the hot paths to a fixed number of round trips", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const { path } = await createConversation(w);
    const admin = as(w.admin);
    const agent = as(w.agent);

    const counts = {
      messageCreate: roundTrips(await agent.post(`${path}/messages`, { content: "hi" })),
      messageCreateIncoming: roundTrips(
        await admin.post(`${path}/messages`, { content: "hello", message_type: "incoming" }),
      ),
      messageList: roundTrips(await agent.get(`${path}/messages`)),
      conversationShow: roundTrips(await agent.get(path)),
      conversationList: roundTrips(await agent.get(`${w.base}/conversations`, { status: "all", assignee_type: "me" })),
      conversationSearch: roundTrips(await agent.get(`${w.base}/conversations`, { status: "all", q: "hello hi" })),
      conversationCreate: roundTrips(
        await agent.post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id }),
      ),
      conversationCreateWithMessage: roundTrips(
        await agent.post(`${w.base}/conversations`, {
          inbox_id: w.inbox.id,
          contact_id: contact.id,
          message: { content: "x" },
        }),
      ),
      toggleStatus: roundTrips(await agent.post(`${path}/toggle_status`, { status: "resolved" })),
      contactList: roundTrips(await agent.get(`${w.base}/contacts`)),
      contactShow: roundTrips(await agent.get(`${w.base}/contacts/${contact.id}`)),
      contactUpdate: roundTrips(await agent.put(`${w.base}/contacts/${contact.id}`, { name: "Renamed" })),
      badToken: roundTrips(await as({ token: "nope" }).get(`${w.base}/contacts`)),
      contactCreate: roundTrips(
        await agent.post(`${w.base}/contacts`, { name: "N", identifier: "rt-new", inbox_id: w.inbox.id }),
      ),
      contactCreateReturning: roundTrips(
        await agent.post(`${w.base}/contacts`, { identifier: "rt-new", inbox_id: w.inbox.id }),
      ),
    };
    expect(counts).toEqual({
      messageCreate: 1,
      messageCreateIncoming: 1,
      messageList: 2,
      conversationShow: 1,
      conversationList: 2,
      conversationSearch: 2,
      conversationCreate: 2,
      conversationCreateWithMessage: 2,
      toggleStatus: 2,
      contactList: 2,
      contactShow: 2,
      contactUpdate: 3,
      badToken: 1,
      contactCreate: 2,
      contactCreateReturning: 2,
    });
  });
});

describe("routing costs no extra round trip", () => {
  it("creates and routes a conversation in 2 round trips, auth included", async () => {
    const w = await createWorld("Routed", { autoAssign: true });
    const { contact } = await createContact(w);
    const res = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id });
    expect(res.body.meta.assignee).toMatchObject({ type: "user" });
    expect(roundTrips(res)).toBe(2);
  });
});

describe("sessions: round trips", () => {
  it("signs in in two, and the cookie costs what a token does", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const { res: signIn, headers } = await consoleSession(w.agent.email, "10.5.0.1");
    const onCookie = { headers };
    const counts = {
      signIn: roundTrips(signIn),
      signInWrong: roundTrips(
        await api(
          "POST",
          "/auth/sign_in",
          { email: w.agent.email, password: "wrong" },
          { headers: { "cf-connecting-ip": "10.5.0.2" } },
        ),
      ),
      validateToken: roundTrips(await api("GET", "/auth/validate_token", undefined, onCookie)),
      conversationShowOnCookie: roundTrips(await api("GET", path, undefined, onCookie)),
      conversationShowOnToken: roundTrips(await as(w.agent).get(path)),
      messageCreateOnCookie: roundTrips(await api("POST", `${path}/messages`, { content: "hi" }, onCookie)),
      updateLastSeen: roundTrips(await as(w.agent).post(`${path}/update_last_seen`)),
    };
    expect(counts).toEqual({
      signIn: 2,
      signInWrong: 2,
      validateToken: 2,
      conversationShowOnCookie: 1,
      conversationShowOnToken: 1,
      messageCreateOnCookie: 1,
      updateLastSeen: 2,
    });
  });
});

describe("a reply written with the token check", () => {
  const count = async (conversationPath: string, w: Awaited<ReturnType<typeof createWorld>>) =>
    (await as(w.admin).get(`${conversationPath}/messages`)).body.payload.length as number;

  it("is one round trip, and writes nothing for a caller who may not write it", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const { path } = await createConversation(w);
    const before = await count(path, w);

    const sent = await as(w.agent).post(`${path}/messages`, { content: "one trip" });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ content: "one trip", sender: { id: w.agent.id, type: "user" } });
    expect(roundTrips(sent)).toBe(1);

    // An agent of the account outside the conversation's inbox; another account's administrator;
    // a token that names nobody: each is refused as before, and the refused write left nothing.
    const outsider = await as(w.outsider).post(`${path}/messages`, { content: "outsider" });
    expect(outsider.status).toBe(404);
    const foreign = await as(other.admin).post(`${path}/messages`, { content: "foreign" });
    expect(foreign.status).toBe(404);
    const nobody = await as({ token: "not-a-token" }).post(`${path}/messages`, { content: "nobody" });
    expect(nobody.status).toBe(401);
    expect(await count(path, w)).toBe(before + 1);
  });

  it("writes nothing in a suspended account, and replays a repeated echo_id", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const first = await as(w.agent).post(`${path}/messages`, { content: "echo", echo_id: "rt-echo" });
    const again = await as(w.agent).post(`${path}/messages`, { content: "echo", echo_id: "rt-echo" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const before = await count(path, w);

    await api(
      "PATCH",
      `/platform/api/v1/accounts/${w.account.id}`,
      { status: "suspended" },
      {
        token: env.PLATFORM_API_TOKEN,
      },
    );
    const refused = await as(w.agent).post(`${path}/messages`, { content: "while suspended" });
    expect(refused.status).toBe(401);
    await api(
      "PATCH",
      `/platform/api/v1/accounts/${w.account.id}`,
      { status: "active" },
      {
        token: env.PLATFORM_API_TOKEN,
      },
    );
    expect(await count(path, w)).toBe(before);
  });
});

describe("writes whose reads join the token check", () => {
  it("answer a bad token before a bad body, and a bad body with 422 after it", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const routes = [`${w.base}/contacts`, `${w.base}/conversations`, `${path}/messages`];
    for (const route of routes) {
      const nobody = await as({ token: "not-a-token" }).post(route, { inbox_id: "not an id", content: 7 });
      expect(nobody.status, route).toBe(401);
      const invalid = await as(w.admin).post(route, { inbox_id: "not an id", contact_id: "x", content: 7 });
      expect(invalid.status, route).toBe(422);
      expect(invalid.body.details.length, route).toBeGreaterThan(0);
    }
  });
});

describe("a contact's message written with the session check", () => {
  const messagesOf = async (w: World, conversationPath: string) =>
    (await as(w.admin).get(`${conversationPath}/messages`)).body.payload as { content: string; message_type: number }[];
  const eventsOf = (conversationId: number) =>
    env.DB.prepare(
      "select event, data from events where stream = 'conversation:' || cast(? as integer) " +
        "and event <> 'message_created' order by id",
    )
      .bind(conversationId)
      .all<{ event: string; data: string }>()
      .then((r) => r.results.map((e) => ({ event: e.event, changed: JSON.parse(e.data).changed_attributes })));
  const conversationIdOf = async (w: World, displayId: number) =>
    (await env.DB.prepare("select id from conversations where account_id = ? and display_id = ?")
      .bind(w.account.id, displayId)
      .first<{ id: number }>())!.id;

  it("is one round trip, and writes nothing for a session that may not write it", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const agentPath = `${w.base}/conversations/${s.conversation.id}`;
    const sent = await c.post(`${s.path}/messages`, { content: "one trip" });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ content: "one trip", message_type: 0, sender: { id: s.contact.id } });
    expect(roundTrips(sent)).toBe(1);

    // Another session of the inbox; an unknown session; another inbox's identifier: each is a
    // 404 as before (in two round trips: the refused write, then the reads), and wrote nothing.
    const other = await startConversation(c, { name: "Other" });
    const refused = [
      await c.post(`/contacts/${other.sourceId}/conversations/${s.conversation.id}/messages`, { content: "x" }),
      await c.post(`/contacts/no-such-source/conversations/${s.conversation.id}/messages`, { content: "x" }),
      await client(w.otherInbox.identifier).post(`${s.path}/messages`, { content: "x" }),
    ];
    expect(refused.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(refused.map(roundTrips)).toEqual([2, 2, 2]);
    expect((await messagesOf(w, agentPath)).map((m) => m.content)).toEqual(["one trip"]);

    // An inbox that requires identity verification refuses the unverified session, and writes nothing.
    await env.DB.prepare("update inboxes set hmac_mandatory = 1 where id = ?").bind(w.inbox.id).run();
    const unverified = await c.post(`${s.path}/messages`, { content: "unverified" });
    expect(unverified.status).toBe(401);
    await env.DB.prepare("update inboxes set hmac_mandatory = 0 where id = ?").bind(w.inbox.id).run();
    // A suspended account refuses it too.
    await platform().patch(`/platform/api/v1/accounts/${w.account.id}`, { status: "suspended" });
    const suspended = await c.post(`${s.path}/messages`, { content: "suspended" });
    expect(suspended.status).toBe(401);
    await platform().patch(`/platform/api/v1/accounts/${w.account.id}`, { status: "active" });
    expect((await messagesOf(w, agentPath)).map((m) => m.content)).toEqual(["one trip"]);

    // A repeated echo_id returns the message stored, once.
    const first = await c.post(`${s.path}/messages`, { content: "echo", echo_id: "rt-client-echo" });
    const again = await c.post(`${s.path}/messages`, { content: "echo", echo_id: "rt-client-echo" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await messagesOf(w, agentPath)).map((m) => m.content)).toEqual(["one trip", "echo"]);
  });

  it("reopens a resolved conversation and routes it, in the same round trip", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const agentPath = `${w.base}/conversations/${s.conversation.id}`;
    await as(w.admin).post(`${agentPath}/toggle_status`, { status: "resolved" });
    // Unassigned and resolved; the inbox routes from now on.
    await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { enable_auto_assignment: true });
    const id = await conversationIdOf(w, s.conversation.id);
    const before = (await eventsOf(id)).length;

    const sent = await c.post(`${s.path}/messages`, { content: "me again" });
    expect(sent.status).toBe(200);
    expect(roundTrips(sent)).toBe(1);
    const after = (await as(w.admin).get(agentPath)).body;
    expect(after.status).toBe("open");
    expect([w.admin.id, w.agent.id]).toContain(after.meta.assignee.id);
    expect((await eventsOf(id)).slice(before)).toEqual([
      {
        event: "conversation_status_changed",
        changed: [{ status: { previous_value: "resolved", current_value: "open" } }],
      },
      { event: "conversation_updated", changed: [{ status: { previous_value: "resolved", current_value: "open" } }] },
      {
        event: "conversation_updated",
        changed: [{ assignee_id: { previous_value: null, current_value: after.meta.assignee.id } }],
      },
    ]);

    // An open conversation held by an online agent: nothing but the message.
    const quiet = await c.post(`${s.path}/messages`, { content: "still here" });
    expect(roundTrips(quiet)).toBe(1);
    expect((await eventsOf(id)).length).toBe(before + 3);
  });

  it("hands a conversation whose agent went offline to one who is online, in the same round trip", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const agentPath = `${w.base}/conversations/${s.conversation.id}`;
    await as(w.admin).post(`${agentPath}/assignments`, { assignee_id: w.agent.id });
    await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { enable_auto_assignment: true });
    await as(w.agent).post("/api/v1/profile/availability", {
      profile: { account_id: w.account.id, availability: "offline" },
    });
    const id = await conversationIdOf(w, s.conversation.id);
    const before = (await eventsOf(id)).length;

    const sent = await c.post(`${s.path}/messages`, { content: "anyone?" });
    expect(roundTrips(sent)).toBe(1);
    expect((await as(w.admin).get(agentPath)).body.meta.assignee.id).toBe(w.admin.id);
    expect((await eventsOf(id)).slice(before)).toEqual([
      {
        event: "conversation_updated",
        changed: [{ assignee_id: { previous_value: w.agent.id, current_value: w.admin.id } }],
      },
    ]);
    const activity = (await messagesOf(w, agentPath)).filter((m) => m.message_type === 2).map((m) => m.content);
    expect(activity.at(-1)).toBe("Assigned to Admin by Automation System");
  });
});

describe("greeting and out-of-office answers: round trips", () => {
  const week = (day: { closed_all_day?: boolean; open_all_day?: boolean }) =>
    [0, 1, 2, 3, 4, 5, 6].map((day_of_week) => ({ day_of_week, ...day }));

  it("greet inside conversation create, and answer out of office with one more trip only while closed", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, {
      greeting_enabled: true,
      greeting_message: "Hello!",
      working_hours_enabled: true,
      out_of_office_message: "Closed",
      working_hours: week({ open_all_day: true }),
    });
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const { path } = await createConversation(w);
    const counts: Record<string, number> = {
      conversationCreateGreeted: roundTrips(
        await as(w.agent).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id }),
      ),
      clientConversationCreateGreeted: roundTrips(await c.post(`/contacts/${s.sourceId}/conversations`)),
      clientMessageOpen: roundTrips(await c.post(`${s.path}/messages`, { content: "open?" })),
      incomingMessageOpen: roundTrips(
        await as(w.admin).post(`${path}/messages`, { content: "open?", message_type: "incoming" }),
      ),
    };
    await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { working_hours: week({ closed_all_day: true }) });
    counts.clientMessageClosed = roundTrips(await c.post(`${s.path}/messages`, { content: "closed?" }));
    counts.clientMessageClosedAgain = roundTrips(await c.post(`${s.path}/messages`, { content: "still closed?" }));
    counts.incomingMessageClosed = roundTrips(
      await as(w.admin).post(`${path}/messages`, { content: "closed?", message_type: "incoming" }),
    );
    counts.agentReplyClosed = roundTrips(await as(w.agent).post(`${path}/messages`, { content: "reply" }));
    expect(counts).toEqual({
      conversationCreateGreeted: 2,
      clientConversationCreateGreeted: 2,
      clientMessageOpen: 1,
      incomingMessageOpen: 1,
      clientMessageClosed: 2,
      clientMessageClosedAgain: 1,
      incomingMessageClosed: 2,
      agentReplyClosed: 1,
    });
  });
});

describe("the change feed: round trips", () => {
  it("answers a page (with bodies rendered) and one event in one round trip, the token check included", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    await as(w.agent).post(`${path}/messages`, { content: "feed" });
    const page = await as(w.agent).get(`${w.base}/events`, { limit: "200" });
    expect(page.body.payload.length).toBeGreaterThan(2);
    const counts = {
      feedPage: roundTrips(page),
      feedPageFiltered: roundTrips(
        await as(w.admin).get(`${w.base}/events`, { types: "message_created", inbox_id: String(w.inbox.id) }),
      ),
      feedEvent: roundTrips(await as(w.agent).get(`${w.base}/events/${page.body.payload[0].id}`)),
    };
    expect(counts).toEqual({ feedPage: 1, feedPageFiltered: 1, feedEvent: 1 });
  });
});
