import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { deliveries, events, teams, webhooks } from "../src/db/schema";
import { ownedRows } from "./helpers/access";
import { api } from "./helpers/api";
import { as, createConversation, createWorld, unique, type World } from "./helpers/factories";

const MARKERS = ["Bella Secret", "B-SECRET-MESSAGE", "b-secret-team", "b-secret-bot"];

/** Everything account B owns, as rows (its users' names and e-mails too), to compare before and after the attack. */
async function snapshot(b: World) {
  const users = await env.DB.prepare(
    "select id, name, email, display_name from users where id in (select " +
      "user_id from account_users where account_id = ?) order by id",
  )
    .bind(b.account.id)
    .all();
  return { ...(await ownedRows(b.account.id)), users: users.results };
}

async function accountRoutes(): Promise<{ method: string; path: string }[]> {
  const { body } = await api("GET", "/openapi.json");
  return Object.entries<Record<string, unknown>>(body.paths)
    .filter(([path]) => path.startsWith("/api/v1/accounts/{account_id}"))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
}

describe("cross-tenant matrix", () => {
  it("no route of account A reads or changes account B's data", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const mineInA = await createConversation(a);
    const [team] = await b.db.insert(teams).values({ accountId: b.account.id, name: "b-secret-team" }).returning();
    await b.db.insert((await import("../src/db/schema")).teamMembers).values({ teamId: team.id, userId: b.agent.id });
    await createConversation(b);
    await createConversation(b);
    const target = await createConversation(b, { message: { content: "B-SECRET-MESSAGE" } });
    await as(b.admin).put(`${b.base}/contacts/${target.contact.id}`, { name: "Bella Secret" });
    await as(b.admin).post(`${target.path}/labels`, { labels: ["b-label"] });
    await as(b.admin).post(`${b.base}/contacts/${target.contact.id}/labels`, { labels: ["b-label"] });
    await as(b.admin).post(`${b.base}/contacts/${target.contact.id}/notes`, { content: "B-SECRET-MESSAGE" });
    const bLabel = (await as(b.admin).post(`${b.base}/labels`, { title: "b-label" })).body;
    const bCanned = (
      await as(b.admin).post(`${b.base}/canned_responses`, { short_code: "b", content: "B-SECRET-MESSAGE" })
    ).body;
    // B's bot, attached to B's inbox (its secret must never reach A).
    const bBot = (await as(b.admin).post(`${b.base}/agent_bots`, { name: "b-secret-bot" })).body;
    await as(b.admin).post(`${b.base}/inboxes/${b.inbox.id}/set_agent_bot`, { agent_bot: bBot.id });
    const message = (await as(b.admin).get(`${target.path}/messages`)).body.payload.find(
      (m: any) => m.message_type !== 2,
    );
    expect(message.content).toBe("B-SECRET-MESSAGE");
    expect(target.conversation.id).toBe(3);
    // Written after B's conversations and disabled, so no event of the setup is delivered to it
    // (a consumer changing B's delivery rows mid-test would break the snapshot comparison).
    const [bHook] = await b.db
      .insert(webhooks)
      .values({
        accountId: b.account.id,
        url: "https://b.example.com/hook",
        subscriptions: ["message_created"],
        secret: "whsec_b-secret-webhook",
        disabled: true,
      })
      .returning();
    const [bEvent] = await b.db
      .insert(events)
      .values({
        uid: unique("evt"),
        accountId: b.account.id,
        inboxId: b.inbox.id,
        event: "message_created",
        stream: unique("stream"),
        sequence: 1,
      })
      .returning();
    const [bDelivery] = await b.db
      .insert(deliveries)
      .values({
        uid: unique("msg"),
        accountId: b.account.id,
        eventId: bEvent.id,
        webhookId: bHook.id,
        status: "dead",
        lastResponse: "B-SECRET-MESSAGE",
      })
      .returning();

    const bIds: Record<string, number> = {
      contacts: target.contact.id,
      inboxes: b.inbox.id,
      agents: b.agent.id,
      teams: team.id,
      conversation_id: target.conversation.id,
      message_id: message.id,
      inbox_id: b.inbox.id,
      team_id: team.id,
      webhooks: bHook.id,
      delivery_id: bDelivery.id,
      labels: bLabel.id,
      canned_responses: bCanned.id,
      agent_bots: bBot.id,
      contact_id: target.contact.id,
    };
    const hostileBody = {
      name: "intruder",
      content: "intruder",
      email: `${unique("intruder")}@example.test`,
      identifier: unique("intruder"),
      inbox_id: b.inbox.id,
      contact_id: target.contact.id,
      // A merge of B's contact into A's (or A's into B's) must find B's as missing.
      base_contact_id: mineInA.contact.id,
      mergee_contact_id: target.contact.id,
      source_id: target.sourceId,
      user_ids: [b.agent.id, b.admin.id],
      assignee_id: b.agent.id,
      team_id: team.id,
      labels: ["intruder"],
      status: "resolved",
      priority: "high",
      custom_attributes: { intruder: true },
      role: "administrator",
      channel: { type: "api" },
      url: "https://intruder.example.com/hook",
      subscriptions: ["message_created"],
    };
    const before = await snapshot(b);
    const routes = await accountRoutes();
    expect(routes.length).toBeGreaterThan(35);

    const outcomes: string[] = [];
    for (const { method, path } of routes) {
      const withIds = (accountId: number) =>
        path.replace(/\{(\w+)\}/g, (_, name: string) => {
          if (name === "account_id") return String(accountId);
          if (name === "id") return String(bIds[path.split("/")[5]]);
          return String(bIds[name]);
        });
      const hasIds = /\{(?!account_id)\w+\}/.test(path);
      const body = method === "GET" ? undefined : hostileBody;

      // B's account in the path: never A's to use.
      const foreign = await api(method, withIds(b.account.id), body, { token: a.admin.token });
      if (foreign.status !== 404) outcomes.push(`${method} ${path} with B's account → ${foreign.status}`);

      // A's account with B's ids in the path or body.
      const res = await api(method, withIds(a.account.id), body, { token: a.admin.token });
      if (hasIds && ![404, 422].includes(res.status)) outcomes.push(`${method} ${path} with B's ids → ${res.status}`);
      if (res.status >= 500) outcomes.push(`${method} ${path} → ${res.status}`);
      for (const marker of MARKERS) if (res.text.includes(marker)) outcomes.push(`${method} ${path} leaked ${marker}`);
    }
    expect(outcomes).toEqual([]);
    expect(await snapshot(b)).toEqual(before);
    const spying = await env.DB.prepare("select id from webhooks where account_id = ? and inbox_id = ?")
      .bind(a.account.id, b.inbox.id)
      .all();
    expect(spying.results).toEqual([]);
  }, 60_000);
});
