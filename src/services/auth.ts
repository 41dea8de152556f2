import type { AccountRow, MembershipRow, UserRow } from "../db/schema";
import type { Viewer } from "../views/visibility";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { accessTokens, accounts, accountUsers, sessions, users } from "../db/schema";
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
};

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
  };
}

export const isAdmin = (p: Principal) => p.membership?.role === "administrator";

/** The principal as the visibility rule sees them (`views/visibility.ts`). */
export const viewerOf = (p: Principal): Viewer => ({ userId: p.user.id, admin: isAdmin(p) });

/** The user's memberships with their accounts, oldest first. Aliased, so it can run inside a batch. */
export function membershipsOf(db: DB, userId: number) {
  return db
    .select({ account: prefixed(accounts, "a"), membership: prefixed(accountUsers, "m") })
    .from(accountUsers)
    .innerJoin(accounts, eq(accounts.id, accountUsers.accountId))
    .where(eq(accountUsers.userId, userId))
    .orderBy(asc(accountUsers.id));
}
