import type { AccountRow, AgentBotRow, MembershipRow, UserRow } from "../db/schema";
import type { Viewer } from "../views/visibility";
import { and, asc, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import { accessTokens, accounts, accountUsers, agentBots, sessions, users } from "../db/schema";
import { orNull, prefixed } from "../db/select";
import type { DB } from "../db/client";

/**
 * How a caller proved who they are: an API token (the user's own, or the `access_token` of a
 * signed-in session), or the console's session cookie. Only digests are ever looked up.
 */
export type Credential = { kind: "token" | "cookie"; hash: string };

/** Who is calling: the user behind a credential, and their membership of the account in the path. */
export type Principal = {
  user: UserRow;
  /**
   * The API token as presented, the only place a plain token exists after creation; "" for the cookie, which
   * pages never see.
   */
  token: string;
  credential: Credential;
  /** For the session cookie: when the session was last used (it is recorded at most once a minute). */
  sessionLastUsedAt: number | null;
  account: AccountRow | null;
  membership: MembershipRow | null;
  /**
   * An agent bot calling with its own token (null for users): the bot, and the account's inboxes it
   * is attached to, the only conversations it may see. Its `user` and `membership` are then stand-ins
   * (`botStandIn`) that no table holds, so every check keyed on a user id fails closed for it.
   */
  bot: BotCaller | null;
};

export type BotCaller = { bot: AgentBotRow; inboxIds: number[] };

/**
 * The id of the user a credential names, as a scalar subquery: usable in any statement of the
 * auth batch (a preload's membership check). An expired session names nobody.
 */
export function credentialUserId(cred: Credential, now = Date.now()): SQL {
  if (cred.kind === "cookie")
    return sql`(select ${sessions.userId} from ${sessions} where ${sessions.tokenHash} = ${cred.hash}
      and ${sessions.expiresAt} > ${now})`;
  return sql`(select ${accessTokens.userId} from ${accessTokens} where ${accessTokens.tokenHash} = ${cred.hash}
    union all select ${sessions.userId} from ${sessions} where ${sessions.apiTokenHash} = ${cred.hash}
      and ${sessions.expiresAt} > ${now} limit 1)`;
}

/** One statement: credential → user → membership of `accountId` (0 for none). Batchable. */
export function principalQuery(db: DB, cred: Credential, accountId: number) {
  return db
    .select({
      user: prefixed(users, "u"),
      membership: prefixed(accountUsers, "m"),
      account: prefixed(accounts, "a"),
      sessionLastUsedAt:
        cred.kind === "cookie"
          ? sql<
              number | null
            >`(select ${sessions.lastUsedAt} from ${sessions} where ${sessions.tokenHash} = ${cred.hash})`
              .mapWith(Number)
              .as("session_last_used_at")
          : sql<null>`null`.as("session_last_used_at"),
    })
    .from(users)
    .leftJoin(accountUsers, and(eq(accountUsers.userId, users.id), eq(accountUsers.accountId, accountId)))
    .leftJoin(accounts, eq(accounts.id, accountUsers.accountId))
    .where(eq(users.id, credentialUserId(cred)))
    .limit(1);
}

export type PrincipalRows = Awaited<ReturnType<typeof principalQuery>>;

export function toPrincipal(rows: PrincipalRows, token: string, credential: Credential): Principal | null {
  const row = rows[0];
  if (!row) return null;
  return {
    user: row.user,
    token: credential.kind === "cookie" ? "" : token,
    credential,
    sessionLastUsedAt: row.sessionLastUsedAt ?? null,
    membership: orNull(row.membership),
    account: orNull(row.account),
    bot: null,
  };
}

/**
 * Bot tokens carry this prefix (user and session tokens are base58, which has no `_`), so the
 * users' token lookup never pays for bots: a bot's token is looked up by `botPrincipalQuery` instead.
 */
export const BOT_TOKEN_PREFIX = "bot_";
export const isBotToken = (token: string) => token.startsWith(BOT_TOKEN_PREFIX);

/**
 * One statement: a bot token → the bot, the account in the path if the bot may act there (its own,
 * or any account for a platform bot) and the ids of that account's inboxes the bot is attached to.
 * Batchable with the route's preload, like `principalQuery`.
 */
export function botPrincipalQuery(db: DB, tokenHash: string, accountId: number) {
  return db
    .select({
      bot: prefixed(agentBots, "b"),
      account: prefixed(accounts, "a"),
      inboxIds: sql<string>`(select json_group_array(i.id) from inboxes i
        where i.agent_bot_id = ${agentBots.id} and i.account_id = ${accountId})`.as("b_inbox_ids"),
    })
    .from(agentBots)
    .leftJoin(
      accounts,
      and(eq(accounts.id, accountId), or(isNull(agentBots.accountId), eq(agentBots.accountId, accounts.id))),
    )
    .where(eq(agentBots.tokenHash, tokenHash))
    .limit(1);
}

/**
 * What a bot stands in for where the code expects an agent: a user with id 0 (never a row, so it
 * matches no membership, assignment or sender) named as the bot, in an agent's role. A platform
 * bot attached to none of the account's inboxes is not admitted there (no membership).
 */
export function botStandIn(bot: AgentBotRow, account: AccountRow | null, inboxIds: number[]) {
  const at = bot.updatedAt;
  const user: UserRow = {
    id: 0,
    name: bot.name,
    displayName: null,
    email: "",
    passwordHash: null,
    messageSignature: null,
    avatarUrl: bot.avatarUrl,
    pubsubToken: "",
    customAttributes: {},
    uiSettings: {},
    createdAt: bot.createdAt,
    updatedAt: at,
  };
  const admitted = account && (bot.accountId === account.id || inboxIds.length > 0);
  const membership: MembershipRow | null = admitted
    ? {
        id: 0,
        accountId: account.id,
        userId: 0,
        role: "agent",
        availability: "online",
        autoOffline: false,
        lastAssignedAt: null,
        createdAt: bot.createdAt,
        updatedAt: at,
      }
    : null;
  return { user, membership };
}

export function toBotPrincipal(
  rows: Awaited<ReturnType<typeof botPrincipalQuery>>,
  token: string,
  credential: Credential,
): Principal | null {
  const row = rows[0];
  if (!row) return null;
  const account = orNull(row.account);
  const inboxIds = (JSON.parse(row.inboxIds ?? "[]") as number[]).map(Number);
  const { user, membership } = botStandIn(row.bot, account, inboxIds);
  return {
    user,
    token,
    credential,
    sessionLastUsedAt: null,
    account: membership ? account : null,
    membership,
    bot: { bot: row.bot, inboxIds },
  };
}

export const isAdmin = (p: Principal) => !p.bot && p.membership?.role === "administrator";

/** The principal as the visibility rule sees them (`views/visibility.ts`). */
export const viewerOf = (p: Principal): Viewer =>
  p.bot ? { userId: 0, admin: false, botInboxIds: p.bot.inboxIds } : { userId: p.user.id, admin: isAdmin(p) };

/** Whether the caller is a bot attached to this inbox (what a bot may see). */
export const botSeesInbox = (p: Principal, inboxId: number) => Boolean(p.bot?.inboxIds.includes(inboxId));

/** The user's memberships with their accounts, oldest first. Aliased, so it can run inside a batch. */
export function membershipsOf(db: DB, userId: number) {
  return db
    .select({ account: prefixed(accounts, "a"), membership: prefixed(accountUsers, "m") })
    .from(accountUsers)
    .innerJoin(accounts, eq(accounts.id, accountUsers.accountId))
    .where(eq(accountUsers.userId, userId))
    .orderBy(asc(accountUsers.id));
}
