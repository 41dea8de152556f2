import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { contacts, messages } from "../src/db/schema";
import { countingD1 } from "../src/lib/d1-counter";
import { publishCommitted } from "../src/events/publish";
import { Outbox } from "../src/events/outbox";
import { as, createContact, createConversation, createWorld, testDb } from "./helpers/factories";
import { api } from "./helpers/api";
import { availabilityOf, connect, contactPubsubToken, subscribeFrame, until, upgrade } from "./helpers/cable";

describe("cable: agent sockets", () => {
  it("hear the inboxes they can see (administrators all), private notes included", async () => {
    const w = await createWorld();
    const admin = await connect({ api_access_token: w.admin.token });
    const agent = await connect({ api_access_token: w.agent.token });
    const outsider = await connect({ api_access_token: w.outsider.token });

    const { conversation, path } = await createConversation(w);
    // Frames are rendered from the database when they go out: wait before resolving, or the
    // created frame may already show the conversation resolved.
    const created = await until(() => admin.events("conversation.created").find((f) => f.data.id === conversation.id));
    expect(created.data).toMatchObject({
      id: conversation.id,
      inbox_id: w.inbox.id,
      status: "open",
      meta: { sender: { type: "contact" } },
    });
    await as(w.agent).post(`${path}/messages`, { content: "note for the team", private: true });
    await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" });
    for (const s of [admin, agent]) {
      await until(() =>
        s.events("message.created").some((f) => f.data.private === true && f.data.content === "note for the team"),
      );
      await until(() =>
        s
          .events("conversation.status_changed")
          .some((f) => f.data.id === conversation.id && f.data.status === "resolved"),
      );
    }

    // A conversation in the back-office inbox, where only the administrator is a member.
    const back = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: (await createContact(w)).contact.id,
    });
    await until(() => admin.events("conversation.created").some((f) => f.data.id === back.body.id));
    // Then a contact event, which every agent of the account hears: a barrier on each socket
    // (frames on one socket arrive in order), after which nothing more can be in flight.
    const barrier = await createContact(w, { name: "Barrier" });
    for (const s of [admin, agent, outsider])
      await until(() => s.events("contact.created").some((f) => f.data.id === barrier.contact.id));

    expect(agent.events("conversation.created").map((f) => f.data.id)).toEqual([conversation.id]);
    expect(outsider.events("conversation.created")).toEqual([]);
    expect(outsider.events("message.created")).toEqual([]);
    expect(outsider.events("conversation.status_changed")).toEqual([]);
    for (const s of [admin, agent, outsider]) s.close();
  });
});

describe("cable: activity messages", () => {
  it("reach agents, never the contact", async () => {
    const w = await createWorld();
    const { contact, conversation, path } = await createConversation(w);
    const enduser = await connect({ pubsub_token: await contactPubsubToken(contact.id, w.inbox.id) });
    const agent = await connect({ api_access_token: w.agent.token });
    await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" });
    // Activity rows carry no event of their own today; record one the way any writer would.
    const db = testDb();
    const [activity] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.accountId, w.account.id), eq(messages.messageType, "activity")));
    const outbox = new Outbox(db);
    await db.batch(
      outbox.record({
        event: "message_created",
        accountId: w.account.id,
        inboxId: w.inbox.id,
        conversationId: activity.conversationId,
        messageId: activity.id,
      }) as [BatchItem<"sqlite">],
    );
    await publishCommitted(env, outbox);
    const seen = await until(() => agent.events("message.created").find((f) => f.data.id === activity.id));
    expect(seen.data).toMatchObject({
      message_type: 2,
      conversation_id: conversation.id,
      content: expect.stringMatching(/resolved/),
    });
    await as(w.agent).post(`${path}/messages`, { content: "barrier" });
    await until(() => enduser.events("message.created").some((f) => f.data.content === "barrier"));
    expect(enduser.events("message.created").map((f) => f.data.message_type)).toEqual([1]);
    enduser.close();
    agent.close();
  });
});

describe("cable: typing and status", () => {
  it(
    "sends agents' public typing to the contact without the " + "e-mail, never private typing or the typist's own echo",
    async () => {
      const w = await createWorld();
      const { contact, conversation, path } = await createConversation(w);
      const enduser = await connect({ pubsub_token: await contactPubsubToken(contact.id, w.inbox.id) });
      const admin = await connect({ api_access_token: w.admin.token });
      const typist = await connect({ api_access_token: w.agent.token });

      await as(w.agent).post(`${path}/toggle_typing_status`, { typing_status: "on", is_private: true });
      await as(w.agent).post(`${path}/toggle_typing_status`, { typing_status: "on" });
      await as(w.agent).post(`${path}/toggle_typing_status`, { typing_status: "off" });
      await until(
        () =>
          admin.events("conversation.typing_on").length === 2 && admin.events("conversation.typing_off").length === 1,
      );
      expect(admin.events("conversation.typing_on").find((f) => !f.data.is_private).data.user).toMatchObject({
        id: w.agent.id,
        email: w.agent.email,
      });

      const off = await until(() => enduser.events("conversation.typing_off")[0]);
      expect(off.data).toEqual({
        conversation: { id: conversation.id },
        user: { id: w.agent.id, name: "Agent", type: "user" },
        is_private: false,
      });
      await as(w.agent).post(`${path}/messages`, { content: "barrier" });
      await until(
        () => enduser.events("message.created").length === 1 && typist.events("message.created").length === 1,
      );
      expect(enduser.events("conversation.typing_on").map((f) => f.data.is_private)).toEqual([false]);
      expect(typist.events("conversation.typing_on")).toEqual([]);
      expect(typist.events("conversation.typing_off")).toEqual([]);

      await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" });
      const status = await until(() => enduser.events("conversation.status_changed")[0]);
      expect(status.data).toMatchObject({ id: conversation.id, status: "resolved", inbox_id: w.inbox.id });
      for (const s of [enduser, admin, typist]) s.close();
    },
  );
});

describe("cable: presence", () => {
  it("sends presence.update on connect, on a contact joining and on an availability change", async () => {
    const w = await createWorld();
    const admin = await connect({ api_access_token: w.admin.token });
    const first = await until(() => admin.events("presence.update")[0]);
    expect(first).toEqual({
      event: "presence.update",
      // Agents with auto_offline and no socket count as offline.
      data: {
        account_id: w.account.id,
        users: { [w.admin.id]: "online", [w.agent.id]: "offline", [w.outsider.id]: "offline" },
        contacts: {},
      },
    });
    expect(first.id).toBeUndefined();

    const { contact } = await createConversation(w);
    const enduser = await connect({ pubsub_token: await contactPubsubToken(contact.id, w.inbox.id) });
    await until(() => admin.events("presence.update").some((f) => f.data.contacts[contact.id] === "online"));

    const changed = await as(w.admin).post("/api/v1/profile/availability", {
      profile: { account_id: w.account.id, availability: "busy" },
    });
    expect(changed.status).toBe(200);
    await until(() => admin.events("presence.update").some((f) => f.data.users[w.admin.id] === "busy"));
    // An administrator setting a connected agent's availability is heard the same way.
    const agent = await connect({ api_access_token: w.agent.token });
    await until(() => admin.events("presence.update").some((f) => f.data.users[w.agent.id] === "online"));
    const set = await as(w.admin).patch(`${w.base}/agents/${w.agent.id}`, { availability: "busy" });
    expect(set.status).toBe(200);
    await until(() => admin.events("presence.update").some((f) => f.data.users[w.agent.id] === "busy"));
    agent.close();

    enduser.close();
    await until(() => admin.events("presence.update").at(-1).data.contacts[contact.id] === undefined);
    expect(enduser.events("presence.update")).toEqual([]);
    admin.close();
  });
});

describe("cable: auto_offline", () => {
  it(
    "sets an agent offline when their last socket closes, " + "and online again (with the backlog) when they return",
    async () => {
      const w = await createWorld("Auto", { autoAssign: true });
      // Only the agent may take new conversations.
      await as(w.admin).post("/api/v1/profile/availability", {
        profile: { account_id: w.account.id, availability: "busy" },
      });

      const one = await connect({ api_access_token: w.agent.token });
      await until(() => one.events("presence.update").length === 1);
      const two = await connect({ api_access_token: w.agent.token });
      await until(() => two.events("presence.update").length === 1);
      one.close();
      // The hub sends presence after handling the close: by then it has decided about availability.
      await until(() => two.events("presence.update").length === 2);
      expect(await availabilityOf(w.account.id, w.agent.id)).toBe("online");
      const watcher = await connect({ api_access_token: w.admin.token });
      two.close();
      await until(async () => (await availabilityOf(w.account.id, w.agent.id)) === "offline");
      const profile = await as(w.agent).get("/api/v1/profile");
      expect(profile.body.accounts[0]).toMatchObject({ id: w.account.id, availability: "offline", auto_offline: true });

      // Nobody is online to take it, so it waits unassigned.
      const { conversation } = await createConversation(w);
      expect(conversation.meta.assignee).toBeUndefined();

      // Back through the ActionCable flow (frame-first, piped through the Worker).
      const back = await upgrade();
      const socket = back.webSocket!;
      socket.accept();
      const frames: any[] = [];
      socket.addEventListener("message", (ev) => {
        frames.push(JSON.parse(ev.data as string));
      });
      socket.send(JSON.stringify(subscribeFrame({ api_access_token: w.agent.token })));
      await until(() => frames.some((f) => f.type === "confirm_subscription"));
      await until(async () => (await availabilityOf(w.account.id, w.agent.id)) === "online");
      const routed = await until(() =>
        frames.find((f) => f.message?.event === "conversation.updated" && f.message.data.id === conversation.id),
      );
      expect(routed.message.data).toMatchObject({ assignee_id: w.agent.id, meta: { assignee: { id: w.agent.id } } });

      // Closing the piped socket reaches the hub too.
      socket.close(1000, "bye");
      await until(async () => (await availabilityOf(w.account.id, w.agent.id)) === "offline");
      watcher.close();
    },
  );

  it("leaves agents alone who turned auto_offline off, or chose busy", async () => {
    const w = await createWorld();
    // Written directly, so no presence announcement of these changes can arrive late and be miscounted.
    await env.DB.prepare("update account_users set auto_offline = 0 where account_id = ? and user_id = ?")
      .bind(w.account.id, w.agent.id)
      .run();
    await env.DB.prepare("update account_users set availability = 'busy' where account_id = ? and user_id = ?")
      .bind(w.account.id, w.outsider.id)
      .run();
    const watcher = await connect({ api_access_token: w.admin.token });
    const agent = await connect({ api_access_token: w.agent.token });
    await until(() => watcher.events("presence.update").length === 2);
    agent.close();
    // The hub sends presence after handling a close, so by the third frame its availability write is done.
    await until(() => watcher.events("presence.update").length === 3);
    expect(await availabilityOf(w.account.id, w.agent.id)).toBe("online");

    // A busy agent with auto_offline shows busy while connected and offline once gone, but stays busy.
    const outsider = await connect({ api_access_token: w.outsider.token });
    await until(() => watcher.events("presence.update").at(-1).data.users[w.outsider.id] === "busy");
    outsider.close();
    await until(() => watcher.events("presence.update").at(-1).data.users[w.outsider.id] === "offline");
    expect(await availabilityOf(w.account.id, w.outsider.id)).toBe("busy");
    expect(watcher.events("presence.update").at(-1).data.users[w.agent.id]).toBe("online");
    watcher.close();
  });
});

describe("cable: writes call the hub only while the account has sockets", () => {
  const socketsOpen = async (accountId: number) =>
    (await env.DB.prepare("select sockets_open from accounts where id = ?").bind(accountId).first<{
      sockets_open: number;
    }>())!.sockets_open;

  /** Records a contact event in a batch as a request does (its D1 wrapper shows the outbox the rows); publishes it. */
  async function publishOne(accountId: number) {
    let outbox: Outbox | undefined;
    const db = drizzle(countingD1(env.DB, { roundTrips: 0, ms: 0 }, (results) => outbox?.observe(results)));
    outbox = new Outbox(db, "", true);
    const [contact] = await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.accountId, accountId));
    await db.batch(
      outbox.record({ event: "contact_updated", accountId, inboxId: null, contactId: contact.id }) as [
        BatchItem<"sqlite">,
      ],
    );
    const hubCalls: string[][] = [];
    await publishCommitted(env, outbox, async (_account, uids) => {
      hubCalls.push(uids);
    });
    return hubCalls.length;
  }

  const hubCalls = (res: { headers: Headers }) =>
    Number(res.headers.get("server-timing")?.match(/realtime;desc="(\d+) hub calls"/)?.[1]);

  it("sets sockets_open before a socket is accepted, clears it when the last one closes", async () => {
    const w = await createWorld();
    const { path, conversation } = await createConversation(w);
    expect(await socketsOpen(w.account.id)).toBe(0);
    expect(await publishOne(w.account.id)).toBe(0);
    // The request path: a reply with nobody connected calls no hub.
    expect(hubCalls(await as(w.agent).post(`${path}/messages`, { content: "unheard" }))).toBe(0);

    const first = await connect({ api_access_token: w.admin.token });
    const second = await connect({ api_access_token: w.agent.token });
    // Set when the upgrade answered: a write that commits from now on calls the hub.
    expect(await socketsOpen(w.account.id)).toBe(1);
    expect(await publishOne(w.account.id)).toBe(1);
    const heard = await as(w.agent).post(`${path}/messages`, { content: "heard" });
    expect(hubCalls(heard)).toBe(1);
    await until(() => second.events("message.created").some((f) => f.data.content === "heard"));
    // A contact's message on the client API: its events name the account by a subquery, read
    // back from their rows after the batch; the hub is still called, and the socket hears it.
    const sourceId = conversation.contact_inbox.source_id;
    const fromContact = await api(
      "POST",
      `/public/api/v1/inboxes/${w.inbox.identifier}/contacts/${sourceId}/conversations/${conversation.id}/messages`,
      { content: "from the contact" },
    );
    expect(fromContact.status).toBe(200);
    expect(hubCalls(fromContact)).toBe(1);
    await until(() => second.events("message.created").some((f) => f.data.content === "from the contact"));
    const { contact } = await createContact(w, { name: "Heard live" });
    await until(() => second.events("contact.created").some((f) => f.data.id === contact.id));

    first.close();
    await first.closed;
    // One socket is still open: the flag stays.
    const renamed = await as(w.admin).put(`${w.base}/contacts/${contact.id}`, { name: "Still heard" });
    expect(renamed.status).toBe(200);
    await until(() => second.events("contact.updated").some((f) => f.data.name === "Still heard"));
    expect(await socketsOpen(w.account.id)).toBe(1);

    second.close();
    await second.closed;
    await until(async () => (await socketsOpen(w.account.id)) === 0);
    expect(await publishOne(w.account.id)).toBe(0);
    expect(hubCalls(await as(w.agent).post(`${path}/messages`, { content: "unheard again" }))).toBe(0);

    // A socket opened again hears the next write.
    const again = await connect({ api_access_token: w.admin.token });
    const later = await createContact(w, { name: "After reconnecting" });
    await until(() => again.events("contact.created").some((f) => f.data.id === later.contact.id));
    again.close();
  });

  it("clears a flag left set with no socket behind it when the hub is next called", async () => {
    const w = await createWorld();
    await createContact(w);
    await env.DB.prepare("update accounts set sockets_open = 1 where id = ?").bind(w.account.id).run();
    // The request path: the write sees the flag and calls the hub, which finds no socket and clears it.
    await createContact(w, { name: "Nobody listening" });
    await until(async () => (await socketsOpen(w.account.id)) === 0);
  });
});
