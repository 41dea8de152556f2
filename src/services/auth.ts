import { and, eq } from "drizzle-orm";
import type { DB } from "../lib/context";
import { accessTokens, accounts, accountUsers, users } from "../db/schema";
import { orNull, prefixed } from "../db/select";

export type UserRow = typeof users.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type MembershipRow = typeof accountUsers.$inferSelect;

/** Who is calling: the user behind an access token, and their membership of the account in the path. */
export type Principal = {
  user: UserRow;
  /** The token as presented: the only place the plain token exists after creation. */
  token: string;
  account: AccountRow | null;
  membership: MembershipRow | null;
};

/** One statement: token → user → membership of `accountId` (0 for none). Batchable. */
export function principalQuery(db: DB, tokenHash: string, accountId: number) {
  return db
    .select({ user: prefixed(users, "u"), membership: prefixed(accountUsers, "m"), account: prefixed(accounts, "a") })
    .from(accessTokens)
    .innerJoin(users, eq(users.id, accessTokens.userId))
    .leftJoin(accountUsers, and(eq(accountUsers.userId, users.id), eq(accountUsers.accountId, accountId)))
    .leftJoin(accounts, eq(accounts.id, accountUsers.accountId))
    .where(eq(accessTokens.tokenHash, tokenHash))
    .limit(1);
}

export type PrincipalRows = Awaited<ReturnType<typeof principalQuery>>;

export function toPrincipal(rows: PrincipalRows, token: string): Principal | null {
  const row = rows[0];
  if (!row) return null;
  return { user: row.user, token, membership: orNull(row.membership), account: orNull(row.account) };
}

export const isAdmin = (p: Principal) => p.membership?.role === "administrator";
