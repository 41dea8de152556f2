import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { ownedRows } from "./helpers/access";
import { api } from "./helpers/api";
import { as, createConversation, createWorld, platform, type World } from "./helpers/factories";

/**
 * Deletes take everything that hangs off what they delete, and nothing else: no orphaned
 * message, search word, attachment or label is left to be found, and other contacts and
 * accounts keep every row.
 */

const rows = async (sql: string, ...binds: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...binds)
      .all()
  ).results;

/** A conversation with a text message, an attachment, a label and a reply, all through the API. */
async function busyConversation(w: World, word: string) {
  const { contact, conversation, path } = await createConversation(w);
  const form = new FormData();
  form.set("content", `About my ${word} order`);
  form.set("message_type", "incoming");
  form.append("attachments[]", new File(["receipt"], "receipt.txt", { type: "text/plain" }));
  const posted = await api("POST", `${path}/messages`, form, { token: w.admin.token });
  expect(posted.status).toBe(200);
  const dataUrl = new URL(posted.body.attachments[0].data_url);
  expect((await as(w.agent).post(`${path}/messages`, { content: `Your ${word} order is on its way` })).status).toBe(
    200,
  );
  expect((await as(w.agent).post(`${path}/labels`, { labels: ["vip"] })).status).toBe(200);
  const contactPath = `${w.base}/contacts/${contact.id}`;
  expect((await as(w.agent).post(`${contactPath}/notes`, { content: `Asked about ${word}s` })).status).toBe(200);
  expect((await as(w.agent).post(`${contactPath}/labels`, { labels: ["vip"] })).status).toBe(200);
  return { contact, conversation, link: dataUrl.pathname + dataUrl.search };
}

/** What one contact owns, table by table. */
const contactRows = async (contactId: number) => ({
  contactInboxes: await rows("select * from contact_inboxes where contact_id = ? order by id", contactId),
  conversations: await rows("select * from conversations where contact_id = ? order by id", contactId),
  messages: await rows(
    "select * from messages where conversation_id in (select id from conversations where contact_id = ?) order by id",
    contactId,
  ),
  terms: await rows(
    "select * from message_terms where conversation_id in (select id " +
      "from conversations where contact_id = ?) order by term, message_id",
    contactId,
  ),
  attachments: await rows(
    "select id, message_id, key, object_key from attachments where message_id in (select m.id from messages " +
      "m join conversations c on c.id = m.conversation_id where c.contact_id = ?) order by id",
    contactId,
  ),
  labels: await rows(
    "select * from conversation_labels where conversation_id in (select id from conversations where contact_id = ?)",
    contactId,
  ),
  notes: await rows("select * from contact_notes where contact_id = ? order by id", contactId),
  contactLabels: await rows("select * from contact_labels where contact_id = ? order by label", contactId),
});

describe("cascade deletes", () => {
  it(
    "deleting a contact takes its sessions, conversations, messages, " +
      "search words, attachments, labels and notes, and nothing of another contact",
    async () => {
      const w = await createWorld("Cascade");
      const gone = await busyConversation(w, "walrus");
      const kept = await busyConversation(w, "walrus");
      const goneBefore = await contactRows(gone.contact.id);
      for (const table of Object.values(goneBefore)) expect(table.length).toBeGreaterThan(0);
      const keptBefore = await contactRows(kept.contact.id);
      const conversationIds = goneBefore.conversations.map((c) => c.id);
      const messageIds = goneBefore.messages.map((m) => m.id);

      expect((await as(w.admin).delete(`${w.base}/contacts/${gone.contact.id}`)).status).toBe(200);

      expect(await rows("select * from contacts where id = ?", gone.contact.id)).toEqual([]);
      // By the ids the contact had, so a row that lost its parent cannot hide.
      const ids = (list: unknown[]) => JSON.stringify(list);
      expect(
        await rows("select id from conversations where id in (select value from json_each(?))", ids(conversationIds)),
      ).toEqual([]);
      expect(
        await rows("select id from messages where id in (select value from json_each(?))", ids(messageIds)),
      ).toEqual([]);
      expect(
        await rows("select * from message_terms where message_id in (select value from json_each(?))", ids(messageIds)),
      ).toEqual([]);
      expect(
        await rows("select id from attachments where message_id in (select value from json_each(?))", ids(messageIds)),
      ).toEqual([]);
      expect(
        await rows(
          "select * from conversation_labels where conversation_id in (select value from json_each(?))",
          ids(conversationIds),
        ),
      ).toEqual([]);
      expect(await rows("select id from contact_inboxes where contact_id = ?", gone.contact.id)).toEqual([]);
      expect(await rows("select id from contact_notes where contact_id = ?", gone.contact.id)).toEqual([]);
      expect(await rows("select label from contact_labels where contact_id = ?", gone.contact.id)).toEqual([]);
      // The attachment's link is gone with it, and its object is queued for deletion.
      expect((await api("GET", gone.link)).status).toBe(404);
      expect((await api("GET", kept.link)).status).toBe(200);
      const objectKey = goneBefore.attachments[0].object_key as string;
      expect(await rows("select object_key from object_deletions where object_key = ?", objectKey)).toHaveLength(1);

      expect(await contactRows(kept.contact.id)).toEqual(keptBefore);
      const found = await as(w.admin).get(`${w.base}/conversations`, { status: "all", q: "walrus" });
      expect(found.body.data.payload.map((c: { id: number }) => c.id)).toEqual([kept.conversation.id]);
    },
  );

  it(
    "deleting an account takes every row it owns, search words " +
      "and attachments included, and leaves other accounts alone",
    async () => {
      const w = await createWorld("Doomed");
      await busyConversation(w, "narwhal");
      const bystander = await createWorld("Bystander");
      await busyConversation(bystander, "narwhal");
      const before = await ownedRows(w.account.id);
      for (const table of ["contacts", "conversations", "messages", "messageTerms", "labels", "events"] as const)
        expect(before[table].length).toBeGreaterThan(0);
      const bystanderBefore = await ownedRows(bystander.account.id);

      expect((await platform().delete(`/platform/api/v1/accounts/${w.account.id}`)).status).toBe(200);

      const after = await ownedRows(w.account.id);
      for (const [table, list] of Object.entries(after))
        expect({ table, rows: list.length }).toEqual({ table, rows: 0 });
      expect(await rows("select id from attachments where account_id = ?", w.account.id)).toEqual([]);
      expect(await ownedRows(bystander.account.id)).toEqual(bystanderBefore);
      const found = await as(bystander.admin).get(`${bystander.base}/conversations`, { status: "all", q: "narwhal" });
      expect(found.body.data.payload).toHaveLength(1);
    },
  );
});
