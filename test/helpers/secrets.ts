import { env } from "cloudflare:workers";
import type { Ctx } from "./operations";

/**
 * The world's secrets and who may see each, as docs/api.md and docs/webhooks.md say: a token, a
 * user's pubsub_token and a password hash are their owner's alone (the hash nobody's); an inbox's
 * HMAC token and signing secret, a webhook's secret and an agent bot's secret, only administrators
 * on those routes (a platform bot's, the operator); a bot token's hash, nobody; a
 * session's pubsub_token only that session on the client API. Every response of the access matrix
 * and the fuzz is scanned for every value.
 */

/** Who made a request: a user of the world (by id), the operator, the client API, or nobody known. */
export type Viewer =
  | { kind: "user"; userId: number; admin: boolean }
  | { kind: "platform" }
  | { kind: "client"; sourceId?: string }
  | { kind: "none" };

type Secret = { name: string; value: string; shownTo: (key: string, viewer: Viewer) => boolean };

const isUser = (v: Viewer, userId: number) => v.kind === "user" && v.userId === userId;
const isAdmin = (v: Viewer) => v.kind === "user" && v.admin;

/** The caller's own profile routes: GET/PUT/PATCH profile, availability, auto_offline (not the contact lookup POST). */
const PROFILE = new RegExp(
  [
    "^(GET|PUT|PATCH) /api/v1/profile$",
    "^POST /api/v1/profile/(availability|auto_offline|reset_access_token)$",
    "^GET /auth/validate_token$",
  ].join("|"),
);
const INBOX_ADMIN = /^(GET|POST|PUT|PATCH) \/api\/v1\/accounts\/\{account_id\}\/inboxes(\/\{id\}(\/reset_secret)?)?$/;
const WEBHOOK_ADMIN =
  /^(GET|POST|PUT|PATCH) \/api\/v1\/accounts\/\{account_id\}\/webhooks(\/\{id\}(\/reset_secret)?)?$/;
const PLATFORM_USER = /^(GET|POST|PUT|PATCH) \/platform\/api\/v1\/users(\/\{id\}(\/reset_access_token)?)?$/;
const BOT_ADMIN = new RegExp(
  [
    "^(GET|POST|PUT|PATCH) /api/v1/accounts/\\{account_id\\}/agent_bots" +
      "(/\\{id\\}(/reset_secret|/reset_access_token)?)?$",
    "^(GET|POST) /api/v1/accounts/\\{account_id\\}/inboxes/\\{id\\}/(agent_bot|set_agent_bot)$",
  ].join("|"),
);
const PLATFORM_BOT = /^(GET|POST|PATCH) \/platform\/api\/v1\/agent_bots(\/\{id\})?$/;
const CLIENT_SESSION = /^\w+ \/public\/api\/v1\/inboxes\/\{inbox_identifier\}\/contacts(\/\{source_id\})?$/;

type Row = Record<string, string | number | null>;
const all = async (query: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...params)
      .all<Row>()
  ).results;

/** Every secret of the world's account as it stands now (rotations included), with its rule. */
export async function worldSecrets(w: Ctx, tokens: { userId: number; token: string }[]): Promise<Secret[]> {
  const id = w.account.id;
  const [users, inboxes, hooks, sessions, bots] = await Promise.all([
    all(
      "select u.id, u.password_hash, u.pubsub_token from users u where u.id in " +
        "(select user_id from account_users where account_id = ?) or u.id = ?",
      id,
      w.user.id,
    ),
    all("select hmac_token, secret, previous_secret from inboxes where account_id = ?", id),
    all("select secret, previous_secret from webhooks where account_id = ?", id),
    all(
      "select ci.source_id, ci.pubsub_token, ci.inbox_id from contact_inboxes " +
        "ci join contacts c on c.id = ci.contact_id where c.account_id = ?",
      id,
    ),
    all(
      "select account_id, token_hash, secret, previous_secret from agent_bots " +
        "where account_id = ? or account_id is null",
      id,
    ),
  ]);
  const [inboxList, members] = await Promise.all([
    all("select id, identifier from inboxes where account_id = ?", id),
    all(
      "select inbox_id, user_id from inbox_members where inbox_id in (select id from inboxes where account_id = ?)",
      id,
    ),
  ]);
  // What reaches an inbox's sessions (its identifier, a session's source_id) is for its members and administrators.
  const seesInbox = (inboxId: unknown) => (v: Viewer) =>
    isAdmin(v) || (v.kind === "user" && members.some((m) => m.inbox_id === inboxId && m.user_id === v.userId));
  const secrets: Secret[] = [{ name: "the platform token", value: env.PLATFORM_API_TOKEN!, shownTo: () => false }];
  for (const t of tokens)
    secrets.push({
      name: `user ${t.userId}'s access token`,
      value: t.token,
      shownTo: (key, v) => isUser(v, t.userId) && PROFILE.test(key),
    });
  for (const u of users) {
    if (u.password_hash)
      secrets.push({ name: `user ${u.id}'s password hash`, value: String(u.password_hash), shownTo: () => false });
    secrets.push({
      name: `user ${u.id}'s pubsub_token`,
      value: String(u.pubsub_token),
      shownTo: (key, v) =>
        (isUser(v, Number(u.id)) && PROFILE.test(key)) || (v.kind === "platform" && PLATFORM_USER.test(key)),
    });
  }
  const adminOn = (pattern: RegExp) => (key: string, v: Viewer) => isAdmin(v) && pattern.test(key);
  for (const i of inboxes)
    for (const value of [i.hmac_token, i.secret, i.previous_secret].filter(Boolean))
      secrets.push({
        name: "an inbox's HMAC token or signing secret",
        value: String(value),
        shownTo: adminOn(INBOX_ADMIN),
      });
  for (const h of hooks)
    for (const value of [h.secret, h.previous_secret].filter(Boolean))
      secrets.push({ name: "a webhook's secret", value: String(value), shownTo: adminOn(WEBHOOK_ADMIN) });
  // A bot's signing secret: its account's administrators (platform bots: the operator only); its token's hash: nobody.
  for (const b of bots) {
    secrets.push({ name: "an agent bot's token hash", value: String(b.token_hash), shownTo: () => false });
    for (const value of [b.secret, b.previous_secret].filter(Boolean))
      secrets.push({
        name: "an agent bot's signing secret",
        value: String(value),
        shownTo: (key, v) =>
          (v.kind === "platform" && PLATFORM_BOT.test(key)) || (b.account_id !== null && adminOn(BOT_ADMIN)(key, v)),
      });
  }
  for (const i of inboxList)
    secrets.push({
      name: `inbox ${i.id}'s identifier`,
      value: String(i.identifier),
      shownTo: (_key, v) => v.kind === "client" || v.kind === "platform" || seesInbox(i.id)(v),
    });
  for (const s of sessions) {
    // A source_id a client chose may be any text (even one that is also some field's value); the generated
    // ones are unguessable.
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(String(s.source_id)))
      secrets.push({
        name: `a source_id of inbox ${s.inbox_id}`,
        value: String(s.source_id),
        shownTo: (_key, v) => v.kind === "client" || seesInbox(s.inbox_id)(v),
      });
    secrets.push({
      name: `session ${s.source_id}'s pubsub_token`,
      value: String(s.pubsub_token),
      // The contact lookup (POST /api/v1/profile) hands an integrator's backend the session it finds, as the
      // article describes.
      shownTo: (key, v) =>
        (v.kind === "client" && v.sourceId === s.source_id && CLIENT_SESSION.test(key)) ||
        (v.kind === "user" && key === "POST /api/v1/profile"),
    });
  }
  return secrets;
}

/** The secrets `text` (a response to `key`, made by `viewer`) shows that the viewer may not see. */
export function leakedSecrets(secrets: Secret[], key: string, viewer: Viewer, text: string): string[] {
  return secrets
    .filter((s) => s.value.length >= 8 && text.includes(s.value) && !s.shownTo(key, viewer))
    .map((s) => s.name);
}
