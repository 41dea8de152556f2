import { expect } from "vitest";
import { env } from "cloudflare:workers";
import { agentBots, cannedResponses, deliveries, events, labels, teams, webhooks } from "../../src/db/schema";
import { addToAccount, createUser } from "../../src/services/users";
import { as, createConversation, createWorld, testDb, unique, type World } from "./factories";
import { api } from "./api";

/**
 * Who may call what. `admin`: administrators of the account (authenticate({ account: true, admin: true })).
 * `member`: about one inbox (a conversation, its messages, the inbox itself): agents who are members
 * of it, and administrators. `account`: any member of the account. `profile`: any valid agent token,
 * whatever the account. `platform`: the operator's PLATFORM_API_TOKEN only.
 */
export type Access = "admin" | "member" | "account" | "profile" | "platform";
export type Ctx = World & {
  spare: { id: number };
  user: { id: number };
  messageId: number;
  ids: Record<string, number>;
};
export type Entry = {
  access: Access;
  /** A valid body for the callers who may (built per request, so unique values stay unique). */
  body?: (w: Ctx) => unknown;
  /** Why the success case is not sent (destructive, or it would leave the test's sandbox). */
  skip?: string;
  /** The success case answers this redirect (with a Location) instead of a 2xx. */
  redirects?: 302;
  /** Run before each allowed caller's request. */
  before?: (w: Ctx) => Promise<unknown>;
};

const acc = "/api/v1/accounts/{account_id}";
const conv = `${acc}/conversations/{conversation_id}`;
const msg = `${conv}/messages/{message_id}`;
const plat = "/platform/api/v1";
const DESTRUCTIVE = "deletes one of the world's main entities";
const OWN_NOTIFICATION =
  "a notification is one agent's alone: every other caller gets 404 (test/notifications.test.ts)";
const name = () => ({ name: unique("Renamed") });
const typing = () => ({ typing_status: "off" });
const members = (w: Ctx) => ({ inbox_id: w.inbox.id, user_ids: [w.spare.id] });
const failMessage = (w: Ctx) =>
  env.DB.prepare("update messages set status = 'failed' where id = ?").bind(w.messageId).run();

/** The world's canned response and label again (same id) after a caller deleted them. */
const restoreCanned = (w: Ctx) =>
  env.DB.prepare(
    "insert or ignore into canned_responses (id, account_id, short_code, content, created_at, updated_at) " +
      "values (?, ?, 'matrix', 'Matrix reply', 0, 0)",
  )
    .bind(w.ids["id:canned_responses"], w.account.id)
    .run();
const restoreLabel = (w: Ctx) =>
  env.DB.prepare(
    "insert or ignore into labels (id, account_id, title, color, show_on_sidebar, created_at, updated_at) " +
      "values (?, ?, 'matrix', '#1f93ff', 1, 0, 0)",
  )
    .bind(w.ids["id:labels"], w.account.id)
    .run();

/** The world's agent bot again (same id, no inbox) after a caller deleted it. */
const restoreBot = (w: Ctx) =>
  env.DB.prepare(
    "insert or ignore into agent_bots (id, account_id, name, bot_type, bot_config, token_hash, secret, " +
      "created_at, updated_at) values (?1, ?2, 'Matrix bot', 'webhook', '{}', 'matrix-' || ?1, 'whsec_bWF0cml4', 0, 0)",
  )
    .bind(w.ids["id:agent_bots"], w.account.id)
    .run();
const botAttrs = () => ({ description: unique("Answers first") });

/** The world's contact note (the administrator's, same id) again after a caller deleted it. */
const restoreNote = (w: Ctx) =>
  env.DB.prepare(
    "insert or ignore into contact_notes (id, account_id, contact_id, user_id, content, created_at, updated_at) " +
      "values (?, ?, ?, ?, 'Matrix note', 0, 0)",
  )
    .bind(w.ids["id:notes"], w.account.id, w.ids.contact_id, w.admin.id)
    .run();
/** A new contact for one caller to merge into the world's (a merge deletes its mergee). */
const freshMergee = async (w: Ctx) => {
  const row = await env.DB.prepare(
    "insert into contacts (account_id, name, created_at, updated_at) values (?, 'Matrix mergee', 0, 0) returning id",
  )
    .bind(w.account.id)
    .first<{ id: number }>();
  w.ids.mergee_contact_id = row!.id;
};
const noteEdit = () => ({ content: unique("Edited note") });
/** A small file to upload, as the multipart part `attachment`. */
export const uploadForm = () => {
  const form = new FormData();
  form.append("attachment", new File(["matrix upload"], "matrix.txt", { type: "text/plain" }));
  return form;
};

/** Every documented operation, classified. A new route fails the test until it is added here. */
export const MATRIX: Record<string, Entry> = {
  // Profile: the caller's own user, any account.
  "GET /api/v1/profile": { access: "profile" },
  "PUT /api/v1/profile": { access: "profile", body: () => ({ display_name: "Me" }) },
  "PATCH /api/v1/profile": { access: "profile", body: () => ({ display_name: "Me" }) },
  "POST /api/v1/profile/reset_access_token": { access: "profile", skip: "it would revoke the callers' tokens" },
  "POST /api/v1/profile/availability": {
    access: "account",
    body: (w) => ({ account_id: w.account.id, availability: "online" }),
  },
  "POST /api/v1/profile/auto_offline": {
    access: "account",
    body: (w) => ({ account_id: w.account.id, auto_offline: false }),
  },
  // Sessions: any valid credential (an API token here; test/auth.test.ts covers the cookie).
  "GET /auth/validate_token": { access: "profile" },
  "DELETE /auth/sign_out": { access: "profile", skip: "it would end the callers' sessions (test/auth.test.ts)" },
  "POST /api/v1/profile": {
    access: "member",
    body: (w) => ({ inbox_identifier: w.inbox.identifier, identifier: unique("user") }),
  },
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
  // A contact_inbox is a session in one inbox: only that inbox's members (and administrators) make one.
  [`POST ${acc}/contacts/{id}/contact_inboxes`]: {
    access: "member",
    body: (w) => ({ inbox_id: w.inbox.id, source_id: unique("src") }),
  },
  // Conversations and messages: members of the conversation's inbox.
  [`GET ${acc}/conversations`]: { access: "account" },
  [`GET ${acc}/conversations/meta`]: { access: "account" },
  [`POST ${acc}/conversations/filter`]: {
    access: "account",
    body: () => ({ payload: [{ attribute_key: "status", filter_operator: "equal_to", values: ["open"] }] }),
  },
  [`POST ${acc}/conversations`]: {
    access: "member",
    body: (w) => ({ inbox_id: w.inbox.id, contact_id: w.ids["id:contacts"] }),
  },
  [`GET ${conv}`]: { access: "member" },
  [`PATCH ${conv}`]: { access: "member", body: () => ({ priority: "low" }) },
  [`POST ${conv}/toggle_status`]: { access: "member", body: () => ({ status: "open" }) },
  [`POST ${conv}/toggle_priority`]: { access: "member", body: () => ({ priority: "high" }) },
  [`POST ${conv}/update_last_seen`]: { access: "member" },
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
  // Uploads ahead of a message: any agent of the account (test/attachments-r2.test.ts: blob ids, scopes).
  [`POST ${acc}/upload`]: { access: "account", body: () => uploadForm() },
  // A redirect to a link signed now (test/attachments-r2.test.ts: tenancy, other conversations).
  [`GET ${conv}/attachments/{attachment_id}`]: { access: "member", redirects: 302 },
  // Inboxes: agents see their own; administrators manage them.
  [`GET ${acc}/inboxes`]: { access: "account" },
  [`POST ${acc}/inboxes`]: { access: "admin", body: name },
  [`GET ${acc}/inboxes/{id}`]: { access: "member" },
  [`PUT ${acc}/inboxes/{id}`]: { access: "admin", body: () => ({ name: "API inbox" }) },
  [`PATCH ${acc}/inboxes/{id}`]: { access: "admin", body: () => ({ name: "API inbox" }) },
  [`DELETE ${acc}/inboxes/{id}`]: { access: "admin", skip: DESTRUCTIVE },
  [`POST ${acc}/inboxes/{id}/reset_secret`]: { access: "admin" },
  // An inbox's agent bot: members read it, administrators set it.
  [`GET ${acc}/inboxes/{id}/agent_bot`]: { access: "member" },
  [`POST ${acc}/inboxes/{id}/set_agent_bot`]: {
    access: "admin",
    body: (w) => ({ agent_bot: w.ids["id:agent_bots"] }),
    before: restoreBot,
  },
  // Agent bots: everyone reads (no secrets), administrators manage (test/agent-bots.test.ts: bot tokens).
  [`GET ${acc}/agent_bots`]: { access: "account" },
  [`POST ${acc}/agent_bots`]: { access: "admin", body: () => ({ name: unique("Bot") }) },
  [`GET ${acc}/agent_bots/{id}`]: { access: "account", before: restoreBot },
  [`PATCH ${acc}/agent_bots/{id}`]: { access: "admin", body: botAttrs, before: restoreBot },
  [`PUT ${acc}/agent_bots/{id}`]: { access: "admin", body: botAttrs, before: restoreBot },
  [`DELETE ${acc}/agent_bots/{id}`]: { access: "admin", before: restoreBot },
  [`POST ${acc}/agent_bots/{id}/reset_access_token`]: { access: "admin", before: restoreBot },
  [`POST ${acc}/agent_bots/{id}/reset_secret`]: { access: "admin", before: restoreBot },
  [`GET ${acc}/inboxes/{id}/assignable_agents`]: { access: "member" },
  [`GET ${acc}/inboxes/{id}/routing`]: { access: "admin" },
  [`GET ${acc}/inboxes/{id}/deliveries`]: { access: "admin" },
  [`POST ${acc}/inboxes/{id}/deliveries/{delivery_id}/redeliver`]: {
    access: "admin",
    skip: "it sends a webhook out of the test",
  },
  [`GET ${acc}/inbox_members/{inbox_id}`]: { access: "member" },
  [`POST ${acc}/inbox_members`]: { access: "admin", body: members },
  [`PATCH ${acc}/inbox_members`]: {
    access: "admin",
    body: (w) => ({ inbox_id: w.inbox.id, user_ids: [w.admin.id, w.agent.id, w.spare.id] }),
  },
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
  // Canned responses: the account's, managed by any of its agents (Chatwoot's controller has no policy).
  [`GET ${acc}/canned_responses`]: { access: "account" },
  [`POST ${acc}/canned_responses`]: {
    access: "account",
    body: () => ({ short_code: unique("code"), content: "Thanks for waiting." }),
  },
  [`PATCH ${acc}/canned_responses/{id}`]: { access: "account", body: () => ({ content: "Thanks!" }) },
  [`PUT ${acc}/canned_responses/{id}`]: { access: "account", body: () => ({ content: "Thanks!" }) },
  [`DELETE ${acc}/canned_responses/{id}`]: { access: "account", before: restoreCanned },
  // Labels: everyone reads, administrators manage; a contact's labels are the contact's (any agent).
  [`GET ${acc}/labels`]: { access: "account" },
  [`POST ${acc}/labels`]: { access: "admin", body: () => ({ title: unique("label") }) },
  [`GET ${acc}/labels/{id}`]: { access: "account" },
  [`PATCH ${acc}/labels/{id}`]: { access: "admin", body: () => ({ description: "Renamed" }) },
  [`PUT ${acc}/labels/{id}`]: { access: "admin", body: () => ({ color: "#00aa00" }) },
  [`DELETE ${acc}/labels/{id}`]: { access: "admin", before: restoreLabel },
  [`GET ${acc}/contacts/{id}/labels`]: { access: "account" },
  [`POST ${acc}/contacts/{id}/labels`]: { access: "account", body: () => ({ labels: ["vip"] }) },
  // Contact notes: any agent reads and adds; only the author or an administrator changes one. The world's
  // note is the administrator's, so the other agents get 403, as the "admin" class expects
  // (test/contact-notes.test.ts: an agent edits their own).
  [`GET ${acc}/contacts/{contact_id}/notes`]: { access: "account" },
  [`POST ${acc}/contacts/{contact_id}/notes`]: { access: "account", body: () => ({ content: "Matrix note" }) },
  [`GET ${acc}/contacts/{contact_id}/notes/{id}`]: { access: "account", before: restoreNote },
  [`PATCH ${acc}/contacts/{contact_id}/notes/{id}`]: { access: "admin", body: noteEdit, before: restoreNote },
  [`PUT ${acc}/contacts/{contact_id}/notes/{id}`]: { access: "admin", body: noteEdit, before: restoreNote },
  [`DELETE ${acc}/contacts/{contact_id}/notes/{id}`]: { access: "admin", before: restoreNote },
  // Any agent merges contacts (as Chatwoot); each caller merges a fresh contact into the world's.
  [`POST ${acc}/actions/contact_merge`]: {
    access: "account",
    before: freshMergee,
    body: (w) => ({ base_contact_id: w.ids["id:contacts"], mergee_contact_id: w.ids.mergee_contact_id }),
  },
  // Notifications: each agent's own, in the account (test/notifications.test.ts: nobody reaches another's).
  [`GET ${acc}/notifications`]: { access: "account" },
  [`GET ${acc}/notifications/unread_count`]: { access: "account" },
  [`POST ${acc}/notifications/read_all`]: { access: "account" },
  [`POST ${acc}/notifications/destroy_all`]: { access: "account", body: () => ({ type: "read" }) },
  [`PATCH ${acc}/notifications/{id}`]: { access: "account", skip: OWN_NOTIFICATION },
  [`POST ${acc}/notifications/{id}/unread`]: { access: "account", skip: OWN_NOTIFICATION },
  [`POST ${acc}/notifications/{id}/snooze`]: {
    access: "account",
    body: () => ({ snoozed_until: 2_000_000_000 }),
    skip: OWN_NOTIFICATION,
  },
  [`DELETE ${acc}/notifications/{id}`]: { access: "account", skip: OWN_NOTIFICATION },
  // CSAT reports: administrators (Chatwoot's CsatSurveyResponsePolicy).
  [`GET ${acc}/csat_survey_responses`]: { access: "admin" },
  [`GET ${acc}/csat_survey_responses/metrics`]: { access: "admin" },
  // The change feed: any member, filtered to what they see; one event: those who see its inbox (the world's
  // seeded event is of the world's inbox), like a conversation.
  [`GET ${acc}/events`]: { access: "account" },
  [`GET ${acc}/events/{id}`]: { access: "member" },
  // Webhooks and their delivery logs: administrators.
  [`GET ${acc}/webhooks/events`]: { access: "admin" },
  [`GET ${acc}/webhooks`]: { access: "admin" },
  [`POST ${acc}/webhooks`]: {
    access: "admin",
    // Scoped to the inbox nothing happens in, so no delivery leaves the test.
    body: (w) => ({
      url: `https://hooks.example.com/matrix/${unique("hook")}`,
      subscriptions: ["conversation_created"],
      inbox_id: w.otherInbox.id,
    }),
  },
  [`PUT ${acc}/webhooks/{id}`]: { access: "admin", body: () => ({ url: "https://hooks.example.com/renamed" }) },
  [`PATCH ${acc}/webhooks/{id}`]: { access: "admin", body: () => ({ url: "https://hooks.example.com/renamed" }) },
  [`DELETE ${acc}/webhooks/{id}`]: { access: "admin", skip: DESTRUCTIVE },
  [`POST ${acc}/webhooks/{id}/reset_secret`]: { access: "admin" },
  [`GET ${acc}/webhooks/{id}/deliveries`]: { access: "admin" },
  [`POST ${acc}/webhooks/{id}/deliveries/{delivery_id}/redeliver`]: {
    access: "admin",
    skip: "it sends a webhook out of the test",
  },
  // Platform API: the operator.
  [`POST ${plat}/accounts`]: { access: "platform", body: () => ({ name: unique("Platform") }) },
  [`GET ${plat}/accounts/{account_id}`]: { access: "platform" },
  [`PATCH ${plat}/accounts/{account_id}`]: { access: "platform", body: () => ({ name: unique("Acme") }) },
  [`PUT ${plat}/accounts/{account_id}`]: { access: "platform", body: () => ({ name: unique("Acme") }) },
  [`DELETE ${plat}/accounts/{account_id}`]: { access: "platform", skip: DESTRUCTIVE },
  [`GET ${plat}/accounts/{account_id}/account_users`]: { access: "platform" },
  [`POST ${plat}/accounts/{account_id}/account_users`]: {
    access: "platform",
    body: (w) => ({ user_id: w.user.id, role: "agent" }),
  },
  [`DELETE ${plat}/accounts/{account_id}/account_users`]: { access: "platform", body: (w) => ({ user_id: w.user.id }) },
  [`POST ${plat}/users`]: { access: "platform", body: () => ({ name: "Op", email: `${unique("op")}@example.test` }) },
  [`GET ${plat}/users/{id}`]: { access: "platform" },
  [`PATCH ${plat}/users/{id}`]: { access: "platform", body: name },
  [`PUT ${plat}/users/{id}`]: { access: "platform", body: name },
  [`DELETE ${plat}/users/{id}`]: { access: "platform", skip: DESTRUCTIVE },
  [`POST ${plat}/users/{id}/reset_access_token`]: { access: "platform" },
  [`GET ${plat}/agent_bots`]: { access: "platform" },
  [`POST ${plat}/agent_bots`]: { access: "platform", body: () => ({ name: unique("Platform bot") }) },
  [`GET ${plat}/agent_bots/{id}`]: { access: "platform", before: restoreBot },
  [`PATCH ${plat}/agent_bots/{id}`]: { access: "platform", body: botAttrs, before: restoreBot },
  [`DELETE ${plat}/agent_bots/{id}`]: { access: "platform", before: restoreBot },
};

/**
 * Tokenless by design: health, attachment downloads (a signed, expiring link), the WebSocket (its
 * own auth). /openapi.json and /swagger are not in the document.
 */
export const UNAUTHENTICATED = [
  "GET /api",
  "GET /attachments/{account_id}/{key}/{file_name}",
  "GET /cable",
  "POST /auth/sign_in",
  "POST /auth/password",
];
export const isPublicClient = (path: string) => path.startsWith("/public/api/v1/inboxes/{inbox_identifier}");

/**
 * The world every request is about: createWorld's account (administrator, member agent, outsider
 * agent, two inboxes) plus a conversation with a message, a team, a disabled webhook with a
 * delivery, a spare agent to add and remove, and a user in no account for the Platform API.
 */
export async function matrixWorld(): Promise<Ctx> {
  const w = await createWorld("Matrix");
  const db = testDb();
  const newUser = (n: string) =>
    createUser(db, { name: n, email: `${unique(n.toLowerCase())}@example.test`, password: "Secret-password-1" });
  const { user: spare } = await newUser("Spare");
  await addToAccount(db, w.account.id, spare.id, "agent", "online");
  const { user } = await newUser("Loose");
  const { conversation, contact } = await createConversation(w);
  const posted = await as(w.admin).post(`${w.base}/conversations/${conversation.id}/messages`, { content: "hello" });
  expect(posted.status).toBe(200);
  const withFile = new FormData();
  withFile.append("attachments[]", new File(["matrix file"], "matrix.txt", { type: "text/plain" }));
  const filed = await api("POST", `${w.base}/conversations/${conversation.id}/messages`, withFile, {
    token: w.admin.token,
  });
  expect(filed.status).toBe(200);
  const [team] = await db
    .insert(teams)
    .values({ accountId: w.account.id, name: unique("team") })
    .returning();
  const [hook] = await db
    .insert(webhooks)
    .values({
      accountId: w.account.id,
      url: "https://hooks.example.com/a",
      subscriptions: ["message_created"],
      secret: "whsec_matrix",
      disabled: true,
    })
    .returning();
  const [event] = await db
    .insert(events)
    .values({
      uid: unique("evt"),
      accountId: w.account.id,
      inboxId: w.inbox.id,
      event: "message_created",
      stream: unique("stream"),
      sequence: 1,
    })
    .returning();
  const [delivery] = await db
    .insert(deliveries)
    .values({ uid: unique("msg"), accountId: w.account.id, eventId: event.id, webhookId: hook.id, status: "dead" })
    .returning();
  const [canned] = await db
    .insert(cannedResponses)
    .values({ accountId: w.account.id, shortCode: "matrix", content: "Matrix reply" })
    .returning();
  const [label] = await db.insert(labels).values({ accountId: w.account.id, title: "matrix" }).returning();
  // The account's bot, attached to no inbox (so nothing of the world changes hands) and with no outgoing_url.
  const [bot] = await db
    .insert(agentBots)
    .values({ accountId: w.account.id, name: "Matrix bot", tokenHash: unique("matrix"), secret: "whsec_bWF0cml4" })
    .returning();
  // The administrator's notification (the fuzzer's caller): the {id} routes need one to refuse input for.
  const notification = await env.DB.prepare(
    "insert into notifications (account_id, user_id, notification_type, conversation_id, created_at, updated_at) " +
      "select ?1, ?2, 'conversation_mention', id, 0, 0 from conversations where account_id = ?1 and display_id = ?3 " +
      "returning id",
  )
    .bind(w.account.id, w.admin.id, conversation.id)
    .first<{ id: number }>();
  // The administrator's note on the world's contact, and a contact to merge into it (refusals merge nothing).
  const note = await env.DB.prepare(
    "insert into contact_notes (account_id, contact_id, user_id, content, created_at, updated_at) " +
      "values (?, ?, ?, 'Matrix note', 0, 0) returning id",
  )
    .bind(w.account.id, contact.id, w.admin.id)
    .first<{ id: number }>();
  const mergee = await env.DB.prepare(
    "insert into contacts (account_id, name, created_at, updated_at) values (?, 'Matrix mergee', 0, 0) returning id",
  )
    .bind(w.account.id)
    .first<{ id: number }>();
  const ids: Record<string, number> = {
    account_id: w.account.id,
    conversation_id: conversation.id,
    message_id: posted.body.id,
    attachment_id: filed.body.attachments[0].id,
    inbox_id: w.inbox.id,
    team_id: team.id,
    delivery_id: delivery.id,
    "id:contacts": contact.id,
    "id:inboxes": w.inbox.id,
    "id:agents": spare.id,
    "id:teams": team.id,
    "id:webhooks": hook.id,
    "id:events": event.id,
    "id:users": user.id,
    "id:notifications": notification!.id,
    "id:canned_responses": canned.id,
    "id:labels": label.id,
    "id:agent_bots": bot.id,
    contact_id: contact.id,
    "id:notes": note!.id,
    mergee_contact_id: mergee!.id,
  };
  return { ...w, spare, user, messageId: posted.body.id, ids };
}
