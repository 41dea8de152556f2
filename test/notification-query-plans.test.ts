import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { Outbox } from "../src/events/outbox";
import type { Principal } from "../src/services/auth";
import { listQueries } from "../src/services/conversations";
import { filterQueries } from "../src/services/conversations/filter";
import { agentMessageEffects } from "../src/services/mentions";
import { agentMessageStatements } from "../src/services/messages";
import { listQueries as notificationQueries, notificationPreload } from "../src/services/notifications";
import { testDb } from "./helpers/factories";
import { fullScans, plan, type Query } from "./helpers/query-plans";

function contextFor(role: "administrator" | "agent") {
  const db = testDb();
  const actor = { user: { id: 2 }, membership: { role }, account: { id: 1 }, token: "" } as unknown as Principal;
  return { db, outbox: new Outbox(db), actor, accountId: 1, origin: "" };
}

const condition = (attribute_key: string, values: unknown[], filter_operator = "equal_to") => ({
  attribute_key,
  filter_operator,
  values: values as string[],
  query_operator: "AND",
});

function queries(): Record<string, Query> {
  const admin = contextFor("administrator");
  const agent = contextFor("agent");
  const [page, views, pageMessages, counts] = notificationQueries(agent, { includes: [] });
  const [one, oneView, oneMessage] = notificationPreload(agent.db, 1, 5, sql`2`);
  const effects = agentMessageEffects(
    admin.db,
    admin.outbox,
    { accountId: 1, inboxId: 1, conversationId: 9, messageId: sql`(select max(id) from messages)`, authorId: 2 },
    { content: "[@Ana](mention://user/3/Ana) [@Bo](mention://user/4/Bo)", private: true },
  ) as unknown as Query[];
  const list = (ctx: ReturnType<typeof contextFor>, conversation_type: "mention" | "participating") =>
    listQueries(ctx, { status: "open", conversation_type });
  const [mentionPage, mentionCounts] = list(agent, "mention");
  const [participatingPage, participatingCounts] = list(admin, "participating");
  const [openPage, openCounts] = filterQueries(admin, [condition("status", ["open"])]);
  const [agentPage, agentCounts] = filterQueries(agent, [condition("status", ["open"]), condition("assignee_id", [2])]);
  const [inboxPage] = filterQueries(admin, [condition("inbox_id", [1]), condition("status", ["pending"])]);
  return {
    "notifications: page": page,
    "notifications: their conversations": views,
    "notifications: their messages": pageMessages,
    "notifications: counts": counts,
    "notification: preload": one,
    "notification: preload's conversation": oneView,
    "notification: preload's message": oneMessage,
    ...Object.fromEntries(effects.map((q, i) => [`mention note: statement ${i}`, q])),
    "conversation_type=mention (page)": mentionPage,
    "conversation_type=mention (counts)": mentionCounts,
    "conversation_type=participating (page)": participatingPage,
    "conversation_type=participating (counts)": participatingCounts,
    "filter: status (page)": openPage,
    "filter: status (counts)": openCounts,
    "filter, agent: status and assignee (page)": agentPage,
    "filter, agent: status and assignee (counts)": agentCounts,
    "filter: inbox and status (page)": inboxPage,
  };
}

describe("query plans: notifications, mentions, conversation_type and the filter", () => {
  for (const [name, query] of Object.entries(queries())) {
    it(name, async () => {
      const lines = await plan(query);
      expect(lines.length).toBeGreaterThan(0);
      expect(fullScans(lines), `${name}:\n${lines.join("\n")}`).toEqual([]);
    });
  }

  it("conversation_type starts from the caller's own mention and participant rows, not the account's", async () => {
    for (const ctx of [contextFor("agent"), contextFor("administrator")]) {
      for (const [type, index] of [
        ["mention", /mentions USING INDEX mentions_user_idx/],
        ["participating", /conversation_participants USING INDEX conversation_participants_user_idx/],
      ] as const) {
        for (const query of listQueries(ctx, { status: "open", inbox_id: 1, conversation_type: type })) {
          const lines = await plan(query);
          expect(lines[0], lines.join("\n")).toBe("SEARCH conversations USING INTEGER PRIMARY KEY (rowid=?)");
          expect(lines.join("\n")).toMatch(index);
        }
      }
    }
  });

  it("binds at most 100 values a statement (D1's limit) in a note that mentions the most agents it reads", () => {
    const ctx = contextFor("administrator");
    const content = Array.from({ length: 30 }, (_, i) => `[@A${i}](mention://user/${i + 1}/A${i})`).join(" ");
    const batch = agentMessageStatements(ctx.db, ctx.outbox, 1, 7, sql`(select 2)`, { content, private: true });
    expect(batch.length).toBeGreaterThan(25);
    const most = Math.max(...batch.map((q) => (q as unknown as Query).toSQL().params.length));
    expect(most).toBeLessThanOrEqual(100);
  });

  it("the notification list reads the caller's rows by their index (unread ones by the unread index)", async () => {
    const [page] = notificationQueries(contextFor("agent"), {});
    expect((await plan(page)).join("\n")).toMatch(/notifications USING INDEX notifications_user_(unread_)?idx/);
  });
});
