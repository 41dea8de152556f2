import { asc, eq } from "drizzle-orm";
import { accounts, accountUsers, users, type Role } from "../db/schema";
import { mergeAttributes } from "../lib/attributes";
import { hashPassword } from "../lib/crypto";
import { endOtherSessions } from "./sessions";
import { dbErrorText, isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import { findAccount, type AccountInput } from "./accounts";
import { accountRemovalStatements, addToAccount, createUser } from "./users";
import type { UserRow } from "../db/schema";
import type { DB } from "../db/client";
import type { z } from "@hono/zod-openapi";
import type { UserCreateBody, UserUpdateBody } from "../routes/platform/users.schemas";

// The Platform API is the operator's: one secret token sees every account and user.

/** Updates an account; `custom_attributes` is merged, not replaced. */
export async function updateAccount(db: DB, id: number, input: AccountInput) {
  const current = await findAccount(db, id);
  const [row] = await db
    .update(accounts)
    .set({
      name: input.name ?? current.name,
      locale: input.locale ?? current.locale,
      domain: input.domain === undefined ? current.domain : input.domain,
      supportEmail: input.support_email === undefined ? current.supportEmail : input.support_email,
      status: input.status ?? current.status,
      customAttributes: mergeAttributes("custom_attributes", current.customAttributes, input.custom_attributes),
    })
    .where(eq(accounts.id, id))
    .returning();
  if (!row) throw notFound("Account");
  return row;
}

/**
 * Deletes an account and, through the schema's ON DELETE CASCADE, everything it owns:
 * memberships, inboxes, teams, contacts, conversations, messages. Users survive.
 */
export async function deleteAccount(db: DB, id: number) {
  const [row] = await db.delete(accounts).where(eq(accounts.id, id)).returning({ id: accounts.id });
  if (!row) throw notFound("Account");
}

const emailTaken = () =>
  unprocessable("Email has already been taken", [{ field: "email", message: "has already been taken" }]);

/** Creates a user and their access token; the plain token is returned this once. */
export async function createPlatformUser(db: DB, input: z.output<typeof UserCreateBody>) {
  try {
    return await createUser(db, input);
  } catch (err) {
    // createUser checks the e-mail first; a concurrent create can still win the unique index.
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}

export async function findUser(db: DB, id: number): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound("User");
  return row;
}

export type UserUpdate = z.output<typeof UserUpdateBody>;

/** Updates a user (no current password needed: this is the operator). E-mail stays unique. */
export async function updateUser(db: DB, id: number, input: UserUpdate): Promise<UserRow> {
  const current = await findUser(db, id);
  const passwordHash = input.password ? await hashPassword(input.password) : current.passwordHash;
  try {
    const update = db
      .update(users)
      .set({
        name: input.name ?? current.name,
        email: input.email === undefined ? current.email : input.email.trim().toLowerCase(),
        displayName: input.display_name === undefined ? current.displayName : input.display_name,
        customAttributes: mergeAttributes("custom_attributes", current.customAttributes, input.custom_attributes),
        passwordHash,
      })
      .where(eq(users.id, id))
      .returning();
    // A password the operator sets ends every session the user had.
    const [rows] = input.password ? await db.batch([update, endOtherSessions(db, id, null)]) : [await update];
    const row = rows[0];
    if (!row) throw notFound("User");
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}

/** Deletes a user with their token and memberships; conversations they held become unassigned. */
export async function deleteUser(db: DB, id: number) {
  const [row] = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
  if (!row) throw notFound("User");
}

const accountExists = (db: DB, accountId: number) =>
  db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId));

export async function listAccountUsers(db: DB, accountId: number) {
  const [found, rows] = await db.batch([
    accountExists(db, accountId),
    db.select().from(accountUsers).where(eq(accountUsers.accountId, accountId)).orderBy(asc(accountUsers.id)),
  ]);
  if (!found[0]) throw notFound("Account");
  return rows;
}

/** Adds the user to the account with `role`, or changes the role of an existing member. */
export async function addAccountUser(db: DB, accountId: number, userId: number, role: Role) {
  const [account, user] = await db.batch([
    accountExists(db, accountId),
    db.select({ id: users.id }).from(users).where(eq(users.id, userId)),
  ]);
  if (!account[0]) throw notFound("Account");
  if (!user[0]) throw notFound("User");
  try {
    return await addToAccount(db, accountId, userId, role);
  } catch (err) {
    // Deleted between the check and the insert.
    if (/FOREIGN KEY constraint failed/i.test(dbErrorText(err))) throw notFound("Account");
    throw err;
  }
}

/**
 * Removes the user from the account and, as Chatwoot does, from the account's inboxes and
 * teams, and unassigns the account's conversations they held. One batch, so all or nothing.
 */
export async function removeAccountUser(db: DB, accountId: number, userId: number) {
  const [found, , , , removed] = await db.batch([
    accountExists(db, accountId),
    ...accountRemovalStatements(db, accountId, userId),
  ]);
  if (!found[0]) throw notFound("Account");
  if (!removed[0]) throw notFound("Account user");
  return removed[0];
}
