import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import {
  accessTokens,
  accountUsers,
  conversations,
  inboxes,
  inboxMembers,
  teamMembers,
  teams,
  users,
  type Availability,
  type Role,
} from "../db/schema";
import { hashPassword, secureToken, sha256Hex } from "../lib/crypto";
import { unprocessable } from "../lib/errors";
import type { UserRow } from "../db/schema";
import type { DB } from "../db/client";

export type NewUser = {
  name: string;
  email: string;
  password?: string | null;
  display_name?: string | null;
  custom_attributes?: Record<string, unknown>;
};

/** A fresh access token: the plain value for the caller, only its hash for the database. */
export async function newAccessToken() {
  const token = secureToken(32);
  return { token, tokenHash: await sha256Hex(token) };
}

/**
 * Creates a user with an access token. The plain token is returned once, here; the
 * database keeps its SHA-256 only.
 */
export async function createUser(db: DB, input: NewUser): Promise<{ user: UserRow; token: string }> {
  const email = input.email.trim().toLowerCase();
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (taken)
    throw unprocessable("Email has already been taken", [{ field: "email", message: "has already been taken" }]);
  const { token, tokenHash } = await newAccessToken();
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const [inserted] = await db.batch([
    db
      .insert(users)
      .values({
        name: input.name,
        displayName: input.display_name ?? null,
        email,
        passwordHash,
        pubsubToken: secureToken(),
        customAttributes: input.custom_attributes ?? {},
      })
      .returning(),
    db.insert(accessTokens).values({
      userId: sql`(select ${users.id} from ${users} where ${users.email} = ${email})`,
      tokenHash,
    }),
  ]);
  return { user: inserted[0], token };
}

/** Replaces the user's token; the old one stops working at once. */
export async function resetAccessToken(db: DB, userId: number): Promise<string> {
  const { token, tokenHash } = await newAccessToken();
  await db
    .insert(accessTokens)
    .values({ userId, tokenHash })
    .onConflictDoUpdate({ target: accessTokens.userId, set: { tokenHash, updatedAt: Date.now() } });
  return token;
}

export async function addToAccount(
  db: DB,
  accountId: number,
  userId: number,
  role: Role = "agent",
  availability: Availability = "offline",
) {
  const [row] = await db
    .insert(accountUsers)
    .values({ accountId, userId, role, availability })
    .onConflictDoUpdate({ target: [accountUsers.accountId, accountUsers.userId], set: { role, updatedAt: Date.now() } })
    .returning();
  return row;
}

/**
 * The statements that take a user out of an account, as Chatwoot does: its inbox and team
 * memberships there, its conversation assignments there, then the membership itself (the
 * last statement returns it). `guard` conditions every statement, e.g. "not the last admin".
 */
export function accountRemovalStatements(db: DB, accountId: number, userId: number, guard?: SQL) {
  const accountInboxes = db.select({ id: inboxes.id }).from(inboxes).where(eq(inboxes.accountId, accountId));
  const accountTeams = db.select({ id: teams.id }).from(teams).where(eq(teams.accountId, accountId));
  return [
    db
      .delete(inboxMembers)
      .where(and(eq(inboxMembers.userId, userId), inArray(inboxMembers.inboxId, accountInboxes), guard)),
    db.delete(teamMembers).where(and(eq(teamMembers.userId, userId), inArray(teamMembers.teamId, accountTeams), guard)),
    db
      .update(conversations)
      .set({ assigneeId: null })
      .where(and(eq(conversations.accountId, accountId), eq(conversations.assigneeId, userId), guard)),
    db
      .delete(accountUsers)
      .where(and(eq(accountUsers.accountId, accountId), eq(accountUsers.userId, userId), guard))
      .returning(),
  ] as const;
}
