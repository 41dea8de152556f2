import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { handleScheduled } from "../src/cron";
import { BACKFILL_GRACE_MS } from "../src/services/search-index";
import { prefixRange, queryWords, searchTerms, MAX_TERM_LENGTH } from "../src/lib/search-terms";
import { as, createContact, createConversation, createWorld, type World } from "./helpers/factories";

/** Display ids the list returns for `q` (status=all unless given), with its counts. */
async function search(w: World, q: string, filters: Record<string, string> = {}, actor: { token: string } = w.admin) {
  const res = await as(actor).get(`${w.base}/conversations`, { status: "all", q, ...filters });
  expect(res.status, res.text).toBe(200);
  return {
    ids: (res.body.data.payload as { id: number }[]).map((c) => c.id).sort((a, b) => a - b),
    meta: res.body.data.meta,
  };
}

const say = (w: World, path: string, content: string, extra: Record<string, unknown> = {}) =>
  as(w.admin).post(`${path}/messages`, { content, ...extra });

describe("search terms", () => {
  it("cuts text into lower-case, NFKC-normalised, distinct words", () => {
    expect(searchTerms("Refund, REFUNDED! refund-now: ＡＢＣ ﬁle 42")).toEqual([
      "refund",
      "refunded",
      "now",
      "abc",
      "file",
      "42",
    ]);
    expect(searchTerms("Crème brûlée — Straße Ελληνικά हिन्दी")).toEqual([
      "crème",
      "brûlée",
      "straße",
      "ελληνικά",
      "हिन्दी",
    ]);
    expect(searchTerms("?!… --")).toEqual([]);
    expect(searchTerms(null)).toEqual([]);
    expect(searchTerms("x".repeat(100))).toEqual(["x".repeat(MAX_TERM_LENGTH)]);
    expect(searchTerms(Array.from({ length: 600 }, (_, i) => `w${i}`).join(" "))).toHaveLength(500);
    expect(queryWords("a b c d e f g h i j a b")).toHaveLength(10);
  });

  it("bounds a prefix in code point order, as SQLite compares text", () => {
    expect(prefixRange("refund")).toEqual(["refund", "refune"]);
    // U+1F600 sorts after U+FFFD in UTF-8 but before it in UTF-16 units: the bound must be a code point.
    expect(prefixRange("a😀")).toEqual(["a😀", "a😁"]);
  });
});

describe("conversation search (q)", () => {
  it("finds incoming, outgoing and private-note words by prefix, any case and script", async () => {
    const w = await createWorld();
    const a = await createConversation(w);
    const b = await createConversation(w);
    const c = await createConversation(w);
    await say(w, a.path, "Where is my REFUND?", { message_type: "incoming" });
    await say(w, b.path, "We refunded the crème brûlée order");
    await say(w, c.path, "internal: customer is nonrefundable", { private: true });

    expect((await search(w, "refund")).ids).toEqual([1, 2]);
    expect((await search(w, "REFUNDED")).ids).toEqual([2]);
    expect((await search(w, "refu")).ids).toEqual([1, 2]);
    expect((await search(w, "Brûlée")).ids).toEqual([2]);
    expect((await search(w, "CRÈME")).ids).toEqual([2]);
    expect((await search(w, "nonrefund")).ids).toEqual([3]);
    expect((await search(w, "internal")).ids).toEqual([3]);
    // A word inside another word is not a prefix.
    expect((await search(w, "fund")).ids).toEqual([]);
  });

  it("needs every word (AND), in any message of the conversation", async () => {
    const w = await createWorld();
    const a = await createConversation(w);
    const b = await createConversation(w);
    await say(w, a.path, "the blue widget", { message_type: "incoming" });
    await say(w, a.path, "is broken");
    await say(w, b.path, "the blue sky");
    expect((await search(w, "blue widget")).ids).toEqual([1]);
    expect((await search(w, "widget broke")).ids).toEqual([1]);
    expect((await search(w, "blue")).ids).toEqual([1, 2]);
    expect((await search(w, "blue  ,, sky!")).ids).toEqual([2]);
    expect((await search(w, "blue green")).ids).toEqual([]);
  });

  it("takes any number of words, in the list and its counts, for administrators and agents", async () => {
    const w = await createWorld();
    const a = await createConversation(w);
    const b = await createConversation(w);
    const many = Array.from({ length: 60 }, (_, i) => `w${i}`);
    await say(w, a.path, `a b c d e f g h i j ${many.join(" ")}`, { message_type: "incoming" });
    await say(w, b.path, "a b c d e");
    // Six words once answered 500 (D1: too many terms in compound SELECT).
    expect((await search(w, "a b c d e f")).ids).toEqual([1]);
    expect((await search(w, "a b c d e")).ids).toEqual([1, 2]);
    expect((await search(w, "a b c d e f g h i j")).ids).toEqual([1]);
    // Every word counts, the last of sixty too; a prefix and its longer word may both be in q.
    expect((await search(w, many.join(" "))).ids).toEqual([1]);
    expect((await search(w, `${many.join(" ")} missing`)).ids).toEqual([]);
    expect((await search(w, "w1 w10 w11 w12 w13 w14 w15")).ids).toEqual([1]);
    const agent = await search(w, "a b c d e f g h", {}, w.agent);
    expect(agent.ids).toEqual([1]);
    expect(agent.meta.all_count).toBe(1);
    for (const actor of [w.admin, w.agent]) {
      const meta = await as(actor).get(`${w.base}/conversations/meta`, { status: "all", q: "a b c d e f g h i j k l" });
      expect(meta.status, meta.text).toBe(200);
      expect(meta.body.meta.all_count).toBe(0);
      const five = await as(actor).get(`${w.base}/conversations/meta`, { status: "all", q: "a b c d e" });
      expect(five.body.meta.all_count).toBe(2);
    }
  });

  it("does not search activity messages", async () => {
    const w = await createWorld();
    const a = await createConversation(w);
    await as(w.admin).post(`${a.path}/toggle_status`, { status: "resolved" });
    expect((await search(w, "resolved")).ids).toEqual([]);
  });

  it("forgets a deleted message's words", async () => {
    const w = await createWorld();
    const a = await createConversation(w);
    const sent = await say(w, a.path, "secret pineapple");
    expect((await search(w, "pineapple")).ids).toEqual([1]);
    const deleted = await as(w.admin).delete(`${a.path}/messages/${sent.body.id}`);
    expect(deleted.status).toBe(200);
    expect((await search(w, "pineapple")).ids).toEqual([]);
    // As with the LIKE search before, the replacement text is what is searched now.
    expect((await search(w, "deleted")).ids).toEqual([1]);
  });

  it("stays within the caller's account and the other filters", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const a = await createConversation(w);
    const b = await createConversation(w);
    const theirs = await createConversation(other);
    await say(w, a.path, "mango delivery");
    await say(w, b.path, "mango delivery");
    await say(other, theirs.path, "mango delivery");
    await as(w.admin).post(`${b.path}/toggle_status`, { status: "resolved" });
    const otherInbox = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: a.contact.id,
      message: { content: "mango" },
    });
    expect(otherInbox.status).toBe(200);

    expect((await search(w, "mango")).ids).toEqual([1, 2, 3]);
    expect((await search(w, "mango", { status: "open" })).ids).toEqual([1, 3]);
    expect((await search(w, "mango", { status: "resolved" })).ids).toEqual([2]);
    expect((await search(w, "mango", { inbox_id: String(w.otherInbox.id) })).ids).toEqual([3]);
    // The agent is not a member of the other inbox.
    expect((await search(w, "mango", {}, w.agent)).ids).toEqual([1, 2]);
    expect((await search(other, "mango")).ids).toEqual([1]);
  });

  it("still matches the contact's name and e-mail as a substring", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w, { name: "Zelda Refundsson", email: "zelda@castle.example" });
    const res = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id });
    expect(res.status).toBe(200);
    await createConversation(w);
    expect((await search(w, "fundss")).ids).toEqual([1]);
    expect((await search(w, "castle.exa")).ids).toEqual([1]);
    // Only punctuation: no message word, so only contacts can match; "@" is in every e-mail given.
    expect((await search(w, "@")).ids).toEqual([1]);
    expect((await search(w, "?!")).ids).toEqual([]);
  });

  it("counts in meta agree with the page", async () => {
    const w = await createWorld();
    for (let i = 0; i < 3; i++) {
      const c = await createConversation(w, i === 0 ? { assignee_id: w.admin.id } : {});
      await say(w, c.path, i < 2 ? "kiwi order" : "banana order");
    }
    const { ids, meta } = await search(w, "kiwi");
    expect(ids).toEqual([1, 2]);
    expect(meta).toEqual({ mine_count: 1, assigned_count: 1, unassigned_count: 1, all_count: 2 });
    const counts = await as(w.admin).get(`${w.base}/conversations/meta`, { status: "all", q: "kiwi" });
    expect(counts.body.meta).toEqual(meta);
  });

  it("indexes messages written before the index in the cron's backfill", async () => {
    const w = await createWorld();
    const { conversation } = await createConversation(w);
    // Rows as the previous version wrote them: no words in message_terms, and no cursor yet.
    const insert = (content: string, type: string, attributes = "{}") =>
      env.DB.prepare(
        `insert into messages (account_id, inbox_id, conversation_id, content, message_type, content_attributes,
           created_at, updated_at)
         select account_id, inbox_id, id, ?, ?, ?, 1, 1 from conversations where uuid = ? returning id`,
      )
        .bind(content, type, attributes, conversation.uuid)
        .first<{ id: number }>();
    await env.DB.prepare("delete from message_terms_backfill").run();
    const legacy = await insert("A legacy Papaya question", "incoming");
    await insert("papaya was assigned", "activity");
    await insert("This message was deleted", "outgoing", '{"deleted":true}');
    expect((await search(w, "papaya")).ids).toEqual([]);

    await handleScheduled(env);
    expect((await search(w, "papaya")).ids).toEqual([1]);
    expect((await search(w, "legacy question")).ids).toEqual([1]);
    expect((await search(w, "deleted")).ids).toEqual([1]);
    const terms = await env.DB.prepare("select term from message_terms where message_id = ? order by term")
      .bind(legacy!.id)
      .all<{ term: string }>();
    expect(terms.results.map((t) => t.term)).toEqual(["a", "legacy", "papaya", "question"]);
    const cursor = await env.DB.prepare("select next_id, end_id from message_terms_backfill").first<{
      next_id: number;
      end_id: number;
    }>();
    expect(cursor?.next_id).toBe(cursor?.end_id);

    // During a rolling deploy the previous version may still write messages without their words:
    // for the grace period after the first run, the backfill takes in the newest messages too.
    const during = await insert("rollout kiwi", "incoming");
    await handleScheduled(env);
    expect(during!.id).toBeGreaterThan(cursor!.end_id);
    expect((await search(w, "kiwi")).ids).toEqual([1]);

    // After it, later messages are indexed by their own write; the finished cursor leaves them alone.
    await env.DB.prepare("update message_terms_backfill set started_at = ?")
      .bind(Date.now() - BACKFILL_GRACE_MS - 1)
      .run();
    const after = await insert("unindexed mango", "incoming");
    await handleScheduled(env);
    expect((await search(w, "mango")).ids).toEqual([]);
    const done = await env.DB.prepare("select next_id, end_id from message_terms_backfill").first<{
      next_id: number;
      end_id: number;
    }>();
    expect(done).toEqual({ next_id: during!.id, end_id: during!.id });
    expect(after!.id).toBeGreaterThan(done!.end_id);
  });

  it("reaches the end of the backfill when the last messages were deleted since its start", async () => {
    const w = await createWorld();
    const { conversation } = await createConversation(w);
    await as(w.admin).post(`${w.base}/conversations/${conversation.id}/messages`, { content: "first" });
    const newest = await env.DB.prepare("select max(id) id from messages").first<{ id: number }>();
    // A cursor past its grace, whose last messages no longer exist (their conversation was deleted).
    await env.DB.prepare("delete from message_terms_backfill").run();
    await env.DB.prepare("insert into message_terms_backfill (id, next_id, end_id, started_at) values (1, ?, ?, 0)")
      .bind(newest!.id, newest!.id + 50)
      .run();
    await handleScheduled(env);
    const cursor = await env.DB.prepare("select next_id, end_id from message_terms_backfill").first<{
      next_id: number;
      end_id: number;
    }>();
    expect(cursor).toEqual({ next_id: newest!.id + 50, end_id: newest!.id + 50 });
  });
});
