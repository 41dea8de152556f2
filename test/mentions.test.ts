import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { mentionedUserIds, mentionMarkup, plainMentions } from "../src/lib/mentions";
import { as, createConversation, createWorld, type World } from "./helpers/factories";

const mention = (u: { id: number; name: string }) => mentionMarkup(u.id, u.name);

/** Rows of one of the three tables for a conversation (by its display id), user ids in order. */
async function usersIn(table: "mentions" | "conversation_participants", w: World, displayId: number) {
  const rows = await env.DB.prepare(
    `select user_id from ${table} where conversation_id = (select id from conversations where account_id = ? and
      display_id = ?) order by user_id`,
  )
    .bind(w.account.id, displayId)
    .all<{ user_id: number }>();
  return rows.results.map((r) => r.user_id);
}

async function notificationsOf(userId: number) {
  const rows = await env.DB.prepare(
    "select notification_type, conversation_id, message_id, actor_id, account_id from notifications " +
      "where user_id = ? order by id",
  )
    .bind(userId)
    .all();
  return rows.results;
}

describe("mention markup", () => {
  it("reads Chatwoot's mention links, not plain @names, and shows them as @Name", () => {
    const ana = mentionMarkup(7, "Ana Lima");
    const content = `Hi ${ana} and [@Bo](mention://user/9/Bo), again ${ana}`;
    expect(mentionedUserIds(content)).toEqual([7, 9]);
    expect(mentionedUserIds("@Ana Lima please look")).toEqual([]);
    expect(mentionedUserIds("[@x](mention://team/3/x) [@y](mention://user/0/y)")).toEqual([]);
    expect(plainMentions(content)).toBe("Hi @Ana Lima and @Bo, again @Ana Lima");
    expect(mentionMarkup(4, "Zoë D")).toBe("[@Zoë D](mention://user/4/Zo%C3%AB%20D)");
  });
});

describe("mentions in private notes", () => {
  it("records the mention, makes the agent a participant and notifies them, in the note's one round trip", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const note = await as(w.admin).post(`${path}/messages`, {
      content: `${mention(w.agent)} can you check the invoice?`,
      private: true,
    });
    expect(note.status).toBe(200);
    expect(note.headers.get("server-timing")).toMatch(/d1;desc="1 round trips"/);
    expect(await usersIn("mentions", w, conversation.id)).toEqual([w.agent.id]);
    // The author took part too (they wrote the note).
    expect(await usersIn("conversation_participants", w, conversation.id)).toEqual(
      [w.admin.id, w.agent.id].sort((a, b) => a - b),
    );
    const [n] = await notificationsOf(w.agent.id);
    expect(n).toMatchObject({
      notification_type: "conversation_mention",
      message_id: note.body.id,
      actor_id: w.admin.id,
      account_id: w.account.id,
    });
    expect(await notificationsOf(w.admin.id)).toEqual([]);

    const listed = await as(w.agent).get(`${w.base}/notifications`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.payload[0]).toMatchObject({
      notification_type: "conversation_mention",
      primary_actor_type: "Conversation",
      primary_actor_id: conversation.id,
      primary_actor: { id: conversation.id, inbox_id: w.inbox.id },
      secondary_actor: { id: note.body.id, private: true, sender: { id: w.admin.id } },
      push_message_title: `You have been mentioned in conversation (#${conversation.id})`,
      push_message_body: `Admin: @Agent can you check the invoice?`,
      user: { id: w.agent.id, type: "user" },
      read_at: null,
    });
  });

  it("notifies only agents of the account who see the inbox; a reply or a plain @name mentions nobody", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const { conversation, path } = await createConversation(w);
    // The outsider is in the account but not in the inbox; the other account's admin is in neither.
    const note = await as(w.agent).post(`${path}/messages`, {
      content: `${mention(w.outsider)} ${mention(other.admin)} ${mention(w.admin)} ${mention(w.agent)} @Agent`,
      private: true,
    });
    expect(note.status).toBe(200);
    // The administrator sees every inbox; the author mentioning themselves is recorded but not notified.
    expect(await usersIn("mentions", w, conversation.id)).toEqual([w.admin.id, w.agent.id].sort((a, b) => a - b));
    expect(await notificationsOf(w.outsider.id)).toEqual([]);
    expect(await notificationsOf(other.admin.id)).toEqual([]);
    expect(await notificationsOf(w.agent.id)).toEqual([]);
    expect(await notificationsOf(w.admin.id)).toHaveLength(1);

    const reply = await as(w.admin).post(`${path}/messages`, { content: `${mention(w.agent)} thanks!` });
    expect(reply.status).toBe(200);
    expect(await notificationsOf(w.agent.id)).toEqual([]);
    expect(await usersIn("mentions", w, conversation.id)).toEqual([w.admin.id, w.agent.id].sort((a, b) => a - b));
  });

  it("does the same for a note sent with files (multipart), and a conversation's first message", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const form = new FormData();
    form.set("content", `${mention(w.agent)} see the log`);
    form.set("private", "true");
    form.append("attachments[]", new File(["error 51"], "log.txt", { type: "text/plain" }));
    const res = await as(w.admin).post(`${path}/messages`, form);
    expect(res.status).toBe(200);
    expect(await usersIn("mentions", w, conversation.id)).toEqual([w.agent.id]);
    expect(await notificationsOf(w.agent.id)).toMatchObject([{ message_id: res.body.id }]);

    const created = await createConversation(w, {
      message: { content: `${mention(w.agent)} first note`, private: true },
    });
    expect(await usersIn("mentions", w, created.conversation.id)).toEqual([w.agent.id]);
    expect(await notificationsOf(w.agent.id)).toHaveLength(2);
  });

  it("writes nothing when the note is refused", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const refused = await as(w.outsider).post(`${path}/messages`, { content: mention(w.agent), private: true });
    expect(refused.status).toBe(404);
    expect(await usersIn("mentions", w, conversation.id)).toEqual([]);
    expect(await usersIn("conversation_participants", w, conversation.id)).toEqual([]);
    expect(await notificationsOf(w.agent.id)).toEqual([]);
  });
});

describe("participants", () => {
  it("an agent who replies, is assigned or is routed to takes part in the conversation", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    expect(await usersIn("conversation_participants", w, conversation.id)).toEqual([]);
    expect((await as(w.admin).post(`${path}/assignments`, { assignee_id: w.agent.id })).status).toBe(200);
    expect(await usersIn("conversation_participants", w, conversation.id)).toEqual([w.agent.id]);
    // Someone else assigned them: they are told (conversation_assignment).
    expect(await notificationsOf(w.agent.id)).toMatchObject([{ notification_type: "conversation_assignment" }]);
    expect((await as(w.admin).post(`${path}/messages`, { content: "On it" })).status).toBe(200);
    expect((await as(w.admin).post(`${path}/messages`, { content: "Again" })).status).toBe(200);
    expect(await usersIn("conversation_participants", w, conversation.id)).toEqual(
      [w.admin.id, w.agent.id].sort((a, b) => a - b),
    );
    // Unassigned later, they still took part.
    expect((await as(w.admin).post(`${path}/assignments`, { assignee_id: null })).status).toBe(200);
    expect(await usersIn("conversation_participants", w, conversation.id)).toContain(w.agent.id);

    // Self-assignment: a participant, no notification.
    const mine = await createConversation(w, { assignee_id: w.agent.id }, w.agent);
    expect(await usersIn("conversation_participants", w, mine.conversation.id)).toEqual([w.agent.id]);
    expect(await notificationsOf(w.agent.id)).toHaveLength(1);

    const routed = await createWorld("Routed", { autoAssign: true });
    const r = await createConversation(routed);
    expect(r.conversation.meta.assignee).toBeDefined();
    expect(await usersIn("conversation_participants", routed, r.conversation.id)).toEqual([
      r.conversation.meta.assignee.id,
    ]);
  });
});
