import { describe, expect, it } from "vitest";
import { and, desc, eq, isNotNull, lt, or, sql } from "drizzle-orm";
import { contacts, conversations, events, idempotencyKeys, messages } from "../src/db/schema";
import { principalQuery, type Principal } from "../src/services/auth";
import { pruneStatements } from "../src/services/sessions";
import { listQueries } from "../src/services/conversations";
import { backfillCursorStart, backfillPending } from "../src/services/search-index";
import { contactPageQueries, contactSearchWhere } from "../src/services/contacts";
import { byDisplayId, conversationViews } from "../src/views/conversations";
import { clientQueries, sessionConversation } from "../src/services/public-client";
import { conversationPage, publicMessagePage } from "../src/services/public-conversations";
import { routeStatements } from "../src/services/routing";
import { Outbox } from "../src/events/outbox";
import { overdueDeliveries } from "../src/webhooks/sweep";
import { replayScope } from "../src/events/audience";
import { testDb } from "./helpers/factories";
import { fullScans, plan, type Query } from "./helpers/query-plans";
import { withSenders } from "../src/views/messages";

/**
 * The queries every request, delivery or routing pass runs. Each must reach its rows through an
 * index: on the edge a whole-table scan grows with every account's data, not just the caller's.
 */
function hotQueries() {
  const db = testDb();
  const outbox = new Outbox(db);
  const conversationId = sql`(select id from conversations where account_id = ${1} and display_id = ${7})`;
  const [inboxByIdentifier, session] = clientQueries(db, "inbox-identifier", "source-id");
  const [page, pageCount, pageMessages] = conversationPage(db, "inbox-identifier", "source-id", 2);
  // Batch items are typed for db.batch; each is a query builder with toSQL().
  const [route, lastAssigned, assignedActivity] = routeStatements(db, outbox, {
    accountId: 1,
    inboxId: 1,
    conversation: 9,
  }) as unknown as Query[];
  const [insertEvent, toTargets] = outbox.record({
    event: "message_created",
    accountId: 1,
    inboxId: 1,
    conversationId: 9,
    messageId: 3,
  }) as unknown as Query[];
  const principal = (role: string) =>
    ({ user: { id: 2 }, membership: { role }, account: { id: 1 }, token: "" }) as unknown as Principal;
  const list = (role: string, filters: Parameters<typeof listQueries>[1]) =>
    listQueries({ db, outbox, actor: principal(role), accountId: 1, origin: "" }, filters);
  const [searchPage, searchCounts] = list("administrator", { status: "all", q: "refund order" });
  const [agentSearchPage, agentSearchCounts] = list("agent", { q: "refund", assignee_type: "me" });
  return {
    "token lookup": principalQuery(db, { kind: "token", hash: "token-hash" }, 1),
    "session cookie lookup": principalQuery(db, { kind: "cookie", hash: "cookie-hash" }, 1),
    "conversation show": conversationViews(db, byDisplayId(1, 7)),
    "conversation list (account, status, activity)": conversationViews(
      db,
      and(eq(conversations.accountId, 1), eq(conversations.status, "open")),
    )
      .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
      .limit(25),
    "conversation list (inbox)": conversationViews(
      db,
      and(eq(conversations.accountId, 1), eq(conversations.inboxId, 1), eq(conversations.status, "open")),
    )
      .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
      .limit(25),
    "conversation search (page)": searchPage,
    "conversation search (counts)": searchCounts,
    "conversation search, agent (page)": agentSearchPage,
    "conversation search, agent (counts)": agentSearchCounts,
    "search backfill: cursor": backfillCursorStart(db, Date.now()),
    "search backfill: next messages": backfillPending(db),
    "message page": withSenders(db)
      .where(and(eq(messages.conversationId, conversationId), lt(messages.id, 1000)))
      .orderBy(desc(messages.id))
      .limit(20),
    "contact list": db
      .select()
      .from(contacts)
      .where(
        and(
          eq(contacts.accountId, 1),
          or(isNotNull(contacts.email), isNotNull(contacts.phoneNumber), isNotNull(contacts.identifier)),
        ),
      )
      .orderBy(desc(contacts.lastActivityAt), desc(contacts.id))
      .limit(15),
    "contact by identifier": db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, 1), eq(contacts.identifier, "user-42"))),
    "client API: inbox": inboxByIdentifier,
    "client API: session": session,
    "client API: conversation": sessionConversation(db, "inbox-identifier", "source-id", 7),
    "client API: conversation page": page,
    "client API: conversation count": pageCount,
    "client API: embedded messages": pageMessages,
    "client API: message page": publicMessagePage(db, conversationId, 500),
    "routing: assign": route,
    "routing: last assigned": lastAssigned,
    "routing: activity": assignedActivity,
    "outbox: event": insertEvent,
    "outbox: deliveries (account webhooks and the inbox's webhook_url)": toTargets,
    "sweeper: overdue deliveries": overdueDeliveries(db, Date.now()),
    "realtime replay (contact)": db
      .select()
      .from(events)
      .where(replayScope({ kind: "contact", accountId: 1, contactId: 2, contactInboxId: 3, inboxId: 1 }, 100))
      .orderBy(events.id)
      .limit(500),
    "realtime replay (agent)": db
      .select()
      .from(events)
      .where(replayScope({ kind: "agent", accountId: 1, userId: 2 }, 100))
      .orderBy(events.id)
      .limit(500),
    "idempotency claim": db.select().from(idempotencyKeys).where(eq(idempotencyKeys.scope, "scope")),
    ...Object.fromEntries(
      pruneStatements(db, Date.now()).map((q, i) => [
        `cron pruning ${["sessions", "set-password links", "sign-in failures"][i]}`,
        q,
      ]),
    ),
  } satisfies Record<string, Query>;
}

describe("query plans: no hot query scans a whole table", () => {
  for (const [name, query] of Object.entries(hotQueries())) {
    it(name, async () => {
      const lines = await plan(query);
      expect(lines.length).toBeGreaterThan(0);
      expect(fullScans(lines), `${name}:\n${lines.join("\n")}`).toEqual([]);
    });
  }

  it("conversation search starts from its matches, not the account's conversations", async () => {
    const db = testDb();
    const principal = (role: string) =>
      ({ user: { id: 2 }, membership: { role }, account: { id: 1 }, token: "" }) as unknown as Principal;
    const searches = [
      listQueries(
        { db, outbox: new Outbox(db), actor: principal("administrator"), accountId: 1, origin: "" },
        { status: "all", q: "refund order" },
      ),
      listQueries(
        { db, outbox: new Outbox(db), actor: principal("agent"), accountId: 1, origin: "" },
        { q: "refund", inbox_id: 3 },
      ),
    ];
    for (const query of searches.flat()) {
      const lines = await plan(query);
      expect(lines[0], lines.join("\n")).toBe("SEARCH conversations USING INTEGER PRIMARY KEY (rowid=?)");
    }
  });

  it("a search of three characters or more reads its contacts' trigrams, not the account's contacts", async () => {
    const db = testDb();
    const principal = { user: { id: 2 }, membership: { role: "administrator" }, account: { id: 1 }, token: "" };
    const ctx = {
      db,
      outbox: new Outbox(db),
      actor: principal as unknown as Principal,
      accountId: 1,
      origin: "",
    };
    const [count, page] = contactPageQueries(ctx, contactSearchWhere(1, "refund"), 1);
    for (const query of [count, page, ...listQueries(ctx, { status: "all", q: "refund" })]) {
      const lines = await plan(query);
      expect(lines[0], lines.join("\n")).toMatch(/^SEARCH (contacts|conversations) USING INTEGER PRIMARY KEY/);
      expect(
        lines.some((l) => /contact_grams/.test(l)),
        lines.join("\n"),
      ).toBe(true);
      expect(
        lines.filter((l) => /contacts USING (COVERING )?INDEX contacts_account/.test(l)),
        lines.join("\n"),
      ).toEqual([]);
    }
  });

  it("the check itself catches a scan", async () => {
    const unindexed = testDb().select().from(messages).where(eq(messages.content, "hello"));
    expect(fullScans(await plan(unindexed))).toEqual(["SCAN messages"]);
  });
});
