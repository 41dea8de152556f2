import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { deliveries, events, teams, webhooks } from "../src/db/schema";
import { addToAccount, createUser } from "../src/services/users";
import { accountSnapshot, documentedOperations, fillPath, refusalMismatch } from "./helpers/access";
import { api } from "./helpers/api";
import { as, createConversation, createWorld, platform, testDb, unique, type World } from "./helpers/factories";

/**
 * Who may call what. `admin`: administrators of the account (authenticate({ account: true, admin: true })).
 * `member`: about one inbox (a conversation, its messages, the inbox itself): agents who are members
 * of it, and administrators. `account`: any member of the account. `profile`: any valid agent token,
 * whatever the account. `platform`: the operator's PLATFORM_API_TOKEN only.
 */
type Access = "admin" | "member" | "account" | "profile" | "platform";
type Caller = "none" | "bad" | "platform" | "foreign" | "outsider" | "agent" | "admin";
const CALLERS: Caller[] = ["none", "bad", "platform", "foreign", "outsider", "agent", "admin"];
const OK = 200;

/**
 * foreign: an administrator of another account (a valid token); outsider: an agent of this account
 * in none of its inboxes; agent: an agent who is a member of the inbox concerned.
 */
const EXPECTED: Record<Access, Record<Caller, number>> = {
  admin: { none: 401, bad: 401, platform: 401, foreign: 404, outsider: 403, agent: 403, admin: OK },
  member: { none: 401, bad: 401, platform: 401, foreign: 404, outsider: 404, agent: OK, admin: OK },
  account: { none: 401, bad: 401, platform: 401, foreign: 404, outsider: OK, agent: OK, admin: OK },
  profile: { none: 401, bad: 401, platform: 401, foreign: OK, outsider: OK, agent: OK, admin: OK },
  platform: { none: 401, bad: 401, platform: OK, foreign: 401, outsider: 401, agent: 401, admin: 401 },
};

type Ctx = World & { spare: { id: number }; user: { id: number }; messageId: number; ids: Record<string, number> };
type Entry = {
  access: Access;
  /** A valid body for the callers who may (built per request, so unique values stay unique). */
  body?: (w: Ctx) => unknown;
  /** Why the success case is not sent (destructive, or it would leave the test's sandbox). */
  skip?: string;
  /** Run before each allowed caller's request. */
  before?: (w: Ctx) => Promise<unknown>;
};

const acc = "/api/v1/accounts/{account_id}";
const conv = `${acc}/conversations/{conversation_id}`;
const msg = `${conv}/messages/{message_id}`;
const plat = "/platform/api/v1";
const DESTRUCTIVE = "deletes one of the world's main entities";
const name = () => ({ name: unique("Renamed") });
const typing = () => ({ typing_status: "off" });
const members = (w: Ctx) => ({ inbox_id: w.inbox.id, user_ids: [w.spare.id] });
const failMessage = (w: Ctx) => env.DB.prepare("update messages set status = 'failed' where id = ?").bind(w.messageId).run();

/** Every documented operation, classified. A new route fails the test until it is added here. */
const MATRIX: Record<string, Entry> = {
  // Profile: the caller's own user, any account.
  "GET /api/v1/profile": { access: "profile" },
  "PUT /api/v1/profile": { access: "profile", body: () => ({ display_name: "Me" }) },
  "PATCH /api/v1/profile": { access: "profile", body: () => ({ display_name: "Me" }) },
  "POST /api/v1/profile/reset_access_token": { access: "profile", skip: "it would revoke the callers' tokens" },
  "POST /api/v1/profile/availability": { access: "account", body: (w) => ({ account_id: w.account.id, availability: "online" }) },
  "POST /api/v1/profile/auto_offline": { access: "account", body: (w) => ({ account_id: w.account.id, auto_offline: false }) },
  "POST /api/v1/profile": { access: "member", body: (w) => ({ inbox_identifier: w.inbox.identifier, identifier: unique("user") }) },
  // Contacts are the account's (as in Chatwoot).
  [`GET ${acc}/contacts`]: { access: "account" },
  [`GET ${acc}/contacts/search`]: { access: "account" },
  [`POST ${acc}/contacts`]: { access: "account", body: () => ({ name: "Carla", identifier: unique("user") }) },
  [`GET ${acc}/contacts/{id}`]: { access: "account" },
  [`PUT ${acc}/contacts/{id}`]: { access: "account", body: name },
  [`PATCH ${acc}/contacts/{id}`]: { access: "account", body: name },
  [`DELETE ${acc}/contacts/{id}`]: { access: "admin", skip: DESTRUCTIVE },
  [`GET ${acc}/contacts/{id}/conversations`]: { access: "account" },
  [`GET ${acc}/contacts/{id}/contact_inboxes`]: { access: "account" },
  [`POST ${acc}/contacts/{id}/contact_inboxes`]: { access: "account", body: (w) => ({ inbox_id: w.inbox.id, source_id: unique("src") }) },
  // Conversations and messages: members of the conversation's inbox.
  [`GET ${acc}/conversations`]: { access: "account" },
  [`GET ${acc}/conversations/meta`]: { access: "account" },
  [`POST ${acc}/conversations`]: { access: "member", body: (w) => ({ inbox_id: w.inbox.id, contact_id: w.ids["id:contacts"] }) },
  [`GET ${conv}`]: { access: "member" },
  [`PATCH ${conv}`]: { access: "member", body: () => ({ priority: "low" }) },
  [`POST ${conv}/toggle_status`]: { access: "member", body: () => ({ status: "open" }) },
  [`POST ${conv}/toggle_priority`]: { access: "member", body: () => ({ priority: "high" }) },
  [`POST ${conv}/assignments`]: { access: "member", body: (w) => ({ assignee_id: w.agent.id }) },
  [`GET ${conv}/labels`]: { access: "member" },
  [`POST ${conv}/labels`]: { access: "member", body: () => ({ labels: ["vip"] }) },
  [`POST ${conv}/custom_attributes`]: { access: "member", body: () => ({ custom_attributes: { plan: "pro" } }) },
  [`POST ${conv}/destroy_custom_attributes`]: { access: "member", body: () => ({ custom_attributes: ["plan"] }) },
  [`POST ${conv}/toggle_typing_status`]: { access: "member", body: typing },
  [`GET ${conv}/messages`]: { access: "member" },
  [`POST ${conv}/messages`]: { access: "member", body: () => ({ content: "hello", private: true }) },
  [`DELETE ${msg}`]: { access: "member", skip: "the message is the one the other message routes use" },
  [`PATCH ${msg}`]: { access: "member", body: () => ({ status: "delivered" }), before: failMessage },
  [`POST ${msg}/retry`]: { access: "member", before: failMessage },
  // Inboxes: agents see their own; administrators manage them.
  [`GET ${acc}/inboxes`]: { access: "account" },
  [`POST ${acc}/inboxes`]: { access: "admin", body: name },
  [`GET ${acc}/inboxes/{id}`]: { access: "member" },
  [`PUT ${acc}/inboxes/{id}`]: { access: "admin", body: () => ({ name: "API inbox" }) },
  [`PATCH ${acc}/inboxes/{id}`]: { access: "admin", body: () => ({ name: "API inbox" }) },
  [`DELETE ${acc}/inboxes/{id}`]: { access: "admin", skip: DESTRUCTIVE },
  [`POST ${acc}/inboxes/{id}/reset_secret`]: { access: "admin" },
  [`GET ${acc}/inboxes/{id}/assignable_agents`]: { access: "member" },
  [`GET ${acc}/inboxes/{id}/routing`]: { access: "admin" },
  [`GET ${acc}/inboxes/{id}/deliveries`]: { access: "admin" },
  [`POST ${acc}/inboxes/{id}/deliveries/{delivery_id}/redeliver`]: { access: "admin", skip: "it sends a webhook out of the test" },
  [`GET ${acc}/inbox_members/{inbox_id}`]: { access: "member" },
  [`POST ${acc}/inbox_members`]: { access: "admin", body: members },
  [`PATCH ${acc}/inbox_members`]: { access: "admin", body: (w) => ({ inbox_id: w.inbox.id, user_ids: [w.admin.id, w.agent.id, w.spare.id] }) },
  [`DELETE ${acc}/inbox_members`]: { access: "admin", body: members },
  // Agents and teams: everyone reads, administrators manage.
  [`GET ${acc}/agents`]: { access: "account" },
  [`POST ${acc}/agents`]: { access: "admin", body: () => ({ name: "New", email: `${unique("new")}@example.test` }) },
  [`PUT ${acc}/agents/{id}`]: { access: "admin", body: name },
  [`PATCH ${acc}/agents/{id}`]: { access: "admin", body: name },
  [`DELETE ${acc}/agents/{id}`]: { access: "admin", skip: DESTRUCTIVE },
  [`GET ${acc}/teams`]: { access: "account" },
  [`POST ${acc}/teams`]: { access: "admin", body: () => ({ name: unique("team") }) },
  [`GET ${acc}/teams/{id}`]: { access: "account" },
  [`PUT ${acc}/teams/{id}`]: { access: "admin", body: () => ({ description: "Tier 2" }) },
  [`PATCH ${acc}/teams/{id}`]: { access: "admin", body: () => ({ description: "Tier 2" }) },
  [`DELETE ${acc}/teams/{id}`]: { access: "admin", skip: DESTRUCTIVE },
  [`GET ${acc}/teams/{team_id}/team_members`]: { access: "account" },
  [`POST ${acc}/teams/{team_id}/team_members`]: { access: "admin", body: (w) => ({ user_ids: [w.spare.id] }) },
  [`PATCH ${acc}/teams/{team_id}/team_members`]: { access: "admin", body: (w) => ({ user_ids: [w.spare.id] }) },
  [`DELETE ${acc}/teams/{team_id}/team_members`]: { access: "admin", body: (w) => ({ user_ids: [w.spare.id] }) },
  // Webhooks and their delivery logs: administrators.
  [`GET ${acc}/webhooks/events`]: { access: "admin" },
  [`GET ${acc}/webhooks`]: { access: "admin" },
  [`POST ${acc}/webhooks`]: {
    access: "admin",
    // Scoped to the inbox nothing happens in, so no delivery leaves the test.
    body: (w) => ({ url: "https://hooks.example.com/matrix", subscriptions: ["conversation_created"], inbox_id: w.otherInbox.id }),
  },
  [`PUT ${acc}/webhooks/{id}`]: { access: "admin", body: () => ({ url: "https://hooks.example.com/renamed" }) },
  [`PATCH ${acc}/webhooks/{id}`]: { access: "admin", body: () => ({ url: "https://hooks.example.com/renamed" }) },
  [`DELETE ${acc}/webhooks/{id}`]: { access: "admin", skip: DESTRUCTIVE },
  [`POST ${acc}/webhooks/{id}/reset_secret`]: { access: "admin" },
  [`GET ${acc}/webhooks/{id}/deliveries`]: { access: "admin" },
  [`POST ${acc}/webhooks/{id}/deliveries/{delivery_id}/redeliver`]: { access: "admin", skip: "it sends a webhook out of the test" },
  // Platform API: the operator.
  [`POST ${plat}/accounts`]: { access: "platform", body: () => ({ name: unique("Platform") }) },
  [`GET ${plat}/accounts/{account_id}`]: { access: "platform" },
  [`PATCH ${plat}/accounts/{account_id}`]: { access: "platform", body: () => ({ name: unique("Acme") }) },
  [`PUT ${plat}/accounts/{account_id}`]: { access: "platform", body: () => ({ name: unique("Acme") }) },
  [`DELETE ${plat}/accounts/{account_id}`]: { access: "platform", skip: DESTRUCTIVE },
  [`GET ${plat}/accounts/{account_id}/account_users`]: { access: "platform" },
  [`POST ${plat}/accounts/{account_id}/account_users`]: { access: "platform", body: (w) => ({ user_id: w.user.id, role: "agent" }) },
  [`DELETE ${plat}/accounts/{account_id}/account_users`]: { access: "platform", body: (w) => ({ user_id: w.user.id }) },
  [`POST ${plat}/users`]: { access: "platform", body: () => ({ name: "Op", email: `${unique("op")}@example.test` }) },
  [`GET ${plat}/users/{id}`]: { access: "platform" },
  [`PATCH ${plat}/users/{id}`]: { access: "platform", body: name },
  [`PUT ${plat}/users/{id}`]: { access: "platform", body: name },
  [`DELETE ${plat}/users/{id}`]: { access: "platform", skip: DESTRUCTIVE },
  [`POST ${plat}/users/{id}/reset_access_token`]: { access: "platform" },
};

/** Tokenless by design: health, attachment downloads (unguessable key), the WebSocket (its own auth). /openapi.json and /swagger are not in the document. */
const UNAUTHENTICATED = ["GET /api", "GET /attachments/{key}/{file_name}", "GET /cable"];
const isPublicClient = (path: string) => path.startsWith("/public/api/v1/inboxes/{inbox_identifier}");

/**
 * The world every request is about: createWorld's account (administrator, member agent, outsider
 * agent, two inboxes) plus a conversation with a message, a team, a disabled webhook with a
 * delivery, a spare agent to add and remove, and a user in no account for the Platform API.
 */
async function matrixWorld(): Promise<Ctx> {
  const w = await createWorld("Matrix");
  const db = testDb();
  const newUser = (n: string) => createUser(db, { name: n, email: `${unique(n.toLowerCase())}@example.test`, password: "Secret-password-1" });
  const { user: spare } = await newUser("Spare");
  await addToAccount(db, w.account.id, spare.id, "agent", "online");
  const { user } = await newUser("Loose");
  const { conversation, contact } = await createConversation(w);
  const posted = await as(w.admin).post(`${w.base}/conversations/${conversation.id}/messages`, { content: "hello" });
  expect(posted.status).toBe(200);
  const [team] = await db.insert(teams).values({ accountId: w.account.id, name: unique("team") }).returning();
  const [hook] = await db
    .insert(webhooks)
    .values({ accountId: w.account.id, url: "https://hooks.example.com/a", subscriptions: ["message_created"], secret: "whsec_matrix", disabled: true })
    .returning();
  const [event] = await db
    .insert(events)
    .values({ uid: unique("evt"), accountId: w.account.id, inboxId: w.inbox.id, event: "message_created", stream: unique("stream"), sequence: 1 })
    .returning();
  const [delivery] = await db
    .insert(deliveries)
    .values({ uid: unique("msg"), accountId: w.account.id, eventId: event.id, webhookId: hook.id, status: "dead" })
    .returning();
  const ids = {
    account_id: w.account.id,
    conversation_id: conversation.id,
    message_id: posted.body.id,
    inbox_id: w.inbox.id,
    team_id: team.id,
    delivery_id: delivery.id,
    "id:contacts": contact.id,
    "id:inboxes": w.inbox.id,
    "id:agents": spare.id,
    "id:teams": team.id,
    "id:webhooks": hook.id,
    "id:users": user.id,
  };
  return { ...w, spare, user, messageId: posted.body.id, ids };
}

async function tokensFor(w: Ctx): Promise<Record<Caller, string | null>> {
  const other = await createWorld("Other");
  return {
    none: null,
    bad: "not-a-valid-token",
    platform: env.PLATFORM_API_TOKEN!,
    foreign: other.admin.token,
    outsider: w.outsider.token,
    agent: w.agent.token,
    admin: w.admin.token,
  };
}

const send = (w: Ctx, key: string, entry: Entry, token: string | null) => {
  const [method, path] = key.split(" ");
  const body = method === "GET" ? undefined : (entry.body?.(w) ?? {});
  return api(method, fillPath(path, w.ids), body, { token });
};

describe("access matrix", () => {
  it("classifies every documented operation", async () => {
    const documented = (await documentedOperations()).filter((op) => !UNAUTHENTICATED.includes(op.key) && !isPublicClient(op.path));
    expect(documented.map((op) => op.key).filter((key) => !MATRIX[key])).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !documented.some((op) => op.key === key))).toEqual([]);
    expect(documented.length).toBeGreaterThan(80);
  });

  const ACCESS: Access[] = ["admin", "member", "account", "profile", "platform"];
  const routesOf = (access: Access) => Object.entries(MATRIX).filter(([, entry]) => entry.access === access);

  // Refusals change nothing (each test proves it), so the refusal tests share one world.
  let refusalWorld: Promise<{ w: Ctx; tokens: Record<Caller, string | null> }> | undefined;
  const sharedWorld = () => (refusalWorld ??= matrixWorld().then(async (w) => ({ w, tokens: await tokensFor(w) })));

  // One test per class: the whole matrix is several hundred requests.
  for (const access of ACCESS) {
    it(`${access} routes: refuses the callers the table refuses, with the error envelope, and changes nothing`, async () => {
      const { w, tokens } = await sharedWorld();
      const before = await accountSnapshot(w.account.id);
      const failures: string[] = [];
      for (const [key, entry] of routesOf(access)) {
        const refused = CALLERS.filter((caller) => EXPECTED[access][caller] !== OK);
        // Refusals change nothing, so one route's callers can go side by side.
        await Promise.all(
          refused.map(async (caller) => {
            const status = EXPECTED[access][caller];
            const res = await send(w, key, entry, tokens[caller]);
            const wrong = refusalMismatch(res, status, status === 401 ? "Invalid Access Token" : undefined);
            if (wrong) failures.push(`${key} as ${caller}: ${wrong}`);
          }),
        );
      }
      expect(failures).toEqual([]);
      expect(await accountSnapshot(w.account.id)).toEqual(before);
    }, 60_000);

    it(`${access} routes: lets the callers the table allows through`, async () => {
      const w = await matrixWorld();
      const tokens = await tokensFor(w);
      const failures: string[] = [];
      for (const [key, entry] of routesOf(access)) {
        if (entry.skip) continue;
        for (const caller of CALLERS.filter((c) => EXPECTED[access][c] === OK)) {
          await entry.before?.(w);
          const res = await send(w, key, entry, tokens[caller]);
          if (res.status < 200 || res.status > 299) failures.push(`${key} as ${caller}: ${res.status} ${res.text.slice(0, 160)}`);
        }
      }
      expect(failures).toEqual([]);
    }, 60_000);
  }
});

describe("access after a repeated Idempotency-Key", () => {
  // A stored answer is the caller's own; once the caller's access is gone, so is the replay.
  it("refuses a replaced token, a removed agent and a demoted administrator as before", async () => {
    const w = await matrixWorld();
    const messages = `${w.base}/conversations/${w.ids.conversation_id}/messages`;
    const key = { "Idempotency-Key": unique("key") };
    const first = await as(w.agent).post(messages, { content: "once" }, key);
    expect(first.status).toBe(200);
    const replayed = await as(w.agent).post(messages, { content: "once" }, key);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body.id).toBe(first.body.id);
    const inboxKey = { "Idempotency-Key": unique("key") };
    const inbox = await as(w.admin).post(`${w.base}/inboxes`, { name: "Once" }, inboxKey);
    expect(inbox.status).toBe(200);
    const { admin: other } = await createWorld("Other");

    const reset = await as(w.agent).post("/api/v1/profile/reset_access_token");
    expect(reset.status).toBe(200);
    const revoked = await as(w.agent).post(messages, { content: "once" }, key);
    expect(refusalMismatch(revoked, 401, "Invalid Access Token")).toBeNull();
    const changed = await as(w.agent).post(messages, { content: "other body" }, key);
    expect(refusalMismatch(changed, 401, "Invalid Access Token")).toBeNull();
    expect(await w.db.query.messages.findMany({ where: (t, { eq }) => eq(t.content, "once") })).toHaveLength(1);

    const agent = { token: reset.body.access_token as string };
    const again = await as(agent).post(messages, { content: "twice" }, key);
    expect(again.status).toBe(200);
    expect((await as(w.admin).delete(`${w.base}/agents/${w.agent.id}`)).status).toBe(200);
    expect(refusalMismatch(await as(agent).post(messages, { content: "twice" }, key), 404, "Account not found")).toBeNull();

    expect((await platform().post(`/platform/api/v1/accounts/${w.account.id}/account_users`, { user_id: w.admin.id, role: "agent" })).status).toBe(200);
    expect(refusalMismatch(await as(w.admin).post(`${w.base}/inboxes`, { name: "Once" }, inboxKey), 403)).toBeNull();
    expect(refusalMismatch(await as(other).post(`${w.base}/inboxes`, { name: "Once" }, inboxKey), 404)).toBeNull();
    expect(await w.db.query.inboxes.findMany({ where: (t, { eq }) => eq(t.name, "Once") })).toHaveLength(1);
  }, 30_000);
});

describe("client API access", () => {
  it("needs no token, and answers 404 for an unknown inbox_identifier or source_id", async () => {
    const w = await matrixWorld();
    const base = `/public/api/v1/inboxes/${w.inbox.identifier}`;
    const inbox = await api("GET", base);
    expect(inbox.status).toBe(200);
    const session = await api("POST", `${base}/contacts`, { name: "Maya" });
    expect(session.status).toBe(200);
    const sourceId: string = session.body.source_id;
    expect((await api("GET", `${base}/contacts/${sourceId}`)).status).toBe(200);
    const opened = await api("POST", `${base}/contacts/${sourceId}/conversations`, {});
    expect(opened.status).toBe(200);

    const ops = (await documentedOperations()).filter((op) => isPublicClient(op.path));
    expect(ops.length).toBeGreaterThan(10);
    const failures: string[] = [];
    const real = { inbox_identifier: w.inbox.identifier, source_id: sourceId, conversation_id: opened.body.id, message_id: w.messageId };
    for (const op of ops) {
      const body = op.method === "GET" ? undefined : {};
      const unknownInbox = await api(op.method, fillPath(op.path, { ...real, inbox_identifier: "no-such-inbox" }), body);
      const wrong = refusalMismatch(unknownInbox, 404, "Inbox not found");
      if (wrong) failures.push(`${op.key} with an unknown inbox_identifier: ${wrong}`);
      if (!op.path.includes("{source_id}")) continue;
      const unknownSession = await api(op.method, fillPath(op.path, { ...real, source_id: crypto.randomUUID() }), body);
      const wrongSession = refusalMismatch(unknownSession, 404);
      if (wrongSession) failures.push(`${op.key} with an unknown source_id: ${wrongSession}`);
    }
    expect(failures).toEqual([]);
  }, 30_000);
});
