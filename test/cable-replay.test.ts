import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { as, createContact, createConversation, createWorld } from "./helpers/factories";
import { connect, contactPubsubToken, subscribeFrame, until, upgrade } from "./helpers/cable";

const maxEventId = async () =>
  (await env.DB.prepare("select coalesce(max(id), 0) id from events").first<{ id: number }>())!.id;

describe("cable: replay", () => {
  it(
    "sends a reconnecting contact exactly what it missed " + "since its last event id, in order, then live frames",
    async () => {
      const w = await createWorld();
      const { contact, conversation, path } = await createConversation(w);
      const token = await contactPubsubToken(contact.id, w.inbox.id);
      const first = await connect({ pubsub_token: token });
      await as(w.agent).post(`${path}/messages`, { content: "seen live" });
      const seen = await until(() => first.events("message.created")[0]);
      first.close();

      for (const content of ["missed 1", "missed 2"]) await as(w.agent).post(`${path}/messages`, { content });
      await as(w.agent).post(`${path}/messages`, { content: "a private note", private: true });
      await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" });
      await as(w.agent).post(`${path}/messages`, { content: "missed 3" });
      // Another contact's conversation, in the same account, meanwhile.
      const other = await createConversation(w);
      await as(w.agent).post(`${other.path}/messages`, { content: "not yours" });

      const back = await connect({ pubsub_token: token, since: String(seen.id) });
      await until(() => back.frames.length >= 4);
      expect(back.frames.map((f) => [f.event, f.data.content ?? f.data.status])).toEqual([
        ["message.created", "missed 1"],
        ["message.created", "missed 2"],
        ["conversation.status_changed", "resolved"],
        ["message.created", "missed 3"],
      ]);
      const ids = back.frames.map((f) => f.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(ids[0]).toBeGreaterThan(seen.id);
      expect(back.frames[2].data).toMatchObject({ id: conversation.id, status: "resolved" });

      await as(w.agent).post(`${path}/messages`, { content: "live again" });
      const live = await until(() => back.frames.find((f) => f.data?.content === "live again"));
      expect(live.id).toBeGreaterThan(ids.at(-1));
      expect(back.frames).toHaveLength(5);
      back.close();
    },
  );

  it("sends agents contact.deleted live and on replay, with the contact as it was", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w, { name: "Soon Gone", email: "soon-gone@example.test" });
    const before = await maxEventId();
    const live = await connect({ api_access_token: w.agent.token });
    await as(w.admin).delete(`${w.base}/contacts/${contact.id}`);
    const deletedLive = await until(() => live.events("contact.deleted")[0]);
    expect(deletedLive.data).toMatchObject({ id: contact.id, name: "Soon Gone", email: "soon-gone@example.test" });
    live.close();
    const again = await connect({ api_access_token: w.agent.token, last_event_id: String(before) });
    const replayed = await until(() => again.events("contact.deleted")[0]);
    expect(replayed).toEqual(deletedLive);
    again.close();
  });

  it("replays for agents with last_event_id, and for ActionCable clients with since in the identifier", async () => {
    const w = await createWorld();
    const since = await maxEventId();
    const { conversation } = await createConversation(w);
    const back = await connect({ api_access_token: w.agent.token, last_event_id: String(since) });
    const created = await until(() => back.events("conversation.created")[0]);
    expect(created.data.id).toBe(conversation.id);
    expect(back.events("contact.created")).toHaveLength(1);
    back.close();

    const res = await upgrade();
    const socket = res.webSocket!;
    socket.accept();
    const frames: any[] = [];
    socket.addEventListener("message", (ev) => {
      frames.push(JSON.parse(ev.data as string));
    });
    const sub = subscribeFrame({ api_access_token: w.admin.token, account_id: w.account.id, since });
    socket.send(JSON.stringify(sub));
    await until(() => frames.some((f) => f.message?.event === "conversation.created"));
    const confirmed = frames.findIndex((f) => f.type === "confirm_subscription");
    const replayed = frames.findIndex((f) => f.message?.event === "contact.created");
    expect(confirmed).toBeGreaterThan(0);
    expect(replayed).toBeGreaterThan(confirmed);
    socket.close(1000, "done");
  });

  it("stops after 500 events and tells the client to refetch", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const since = await maxEventId();
    // 501 missed contact updates, written straight into the outbox table.
    await env.DB.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 501)
       insert into events (uid, account_id, inbox_id, conversation_id, message_id, contact_id, event, stream,
         sequence, data, payload, created_at)
       select 'evt_bulk_' || ?1 || '_' || i, ?1, null, null, null, ?2, 'contact_updated', 'bulk:' || ?1 || ':' || i,
         1, '{}', null, ?3 from n`,
    )
      .bind(w.account.id, contact.id, Date.now())
      .run();
    const admin = await connect({ api_access_token: w.admin.token, since: String(since) });
    const truncated = await until(() => admin.events("replay.truncated")[0]);
    const updates = admin.events("contact.updated");
    expect(updates).toHaveLength(500);
    expect(updates[0].data).toMatchObject({ id: contact.id });
    expect(truncated.data).toEqual({ since, last_event_id: updates[499].id, limit: 500 });
    admin.close();
  });
});
