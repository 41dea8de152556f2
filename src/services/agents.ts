import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { accessTokens, accountUsers, users } from "../db/schema";
import { inList, prefixed } from "../db/select";
import { secureToken } from "../lib/crypto";
import { isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import { accountRemovalStatements, newAccessToken } from "./users";
import { passwordTokenFor } from "./sessions";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";
import type { z } from "@hono/zod-openapi";
import type { AgentCreateBody, AgentUpdateBody } from "../routes/agents/agents.schemas";

/**
 * The account's agents (user + membership), ordered by name as Chatwoot lists them.
 * Columns are prefixed, so the query is safe inside `db.batch`.
 */
export function agentRows(db: DB, accountId: number, where?: SQL) {
  return db
    .select({ user: prefixed(users, "u"), membership: prefixed(accountUsers, "m") })
    .from(accountUsers)
    .innerJoin(users, eq(users.id, accountUsers.userId))
    .where(and(eq(accountUsers.accountId, accountId), where))
    .orderBy(sql`lower(${users.name})`, asc(users.id));
}

export type AgentRow = Awaited<ReturnType<typeof agentRows>>[number];

/** Which of `userIds` belong to the account (batchable). */
export function accountUserIds(db: DB, accountId: number, userIds: number[]) {
  return db
    .select({ userId: accountUsers.userId })
    .from(accountUsers)
    .where(and(eq(accountUsers.accountId, accountId), inList(accountUsers.userId, userIds)));
}

/** 422 unless every requested id is a user of the account; other accounts' users look like unknown ids. */
export function assertAccountUsers(found: { userId: number }[], requested: number[]) {
  const known = new Set(found.map((r) => r.userId));
  const unknown = requested.filter((id) => !known.has(id));
  if (unknown.length === 0) return;
  const one = unknown.length === 1;
  const what = one ? "is not an agent" : "are not agents";
  const message = `${one ? "User" : "Users"} ${unknown.join(", ")} ${what} of this account`;
  throw unprocessable(message, [{ field: "user_ids", message }]);
}

export function listAgents({ db, accountId }: ServiceContext) {
  return agentRows(db, accountId);
}

export type AgentCreateInput = z.output<typeof AgentCreateBody>;

const alreadyAgent = () =>
  unprocessable("Email is already an agent of this account", [
    { field: "email", message: "is already an agent of this account" },
  ]);

/**
 * Adds an agent: a new user (with an access token the response never shows) when the e-mail
 * is unknown, otherwise the existing user joins the account with their own name untouched. A
 * user without a password gets a one-time set-password link's token, for the administrator to
 * hand on (there is no mail service; docs/console.md says how an operator would add one).
 */
export async function createAgent(
  scope: ServiceContext,
  input: AgentCreateInput,
  retried = false,
): Promise<AgentRow & { passwordToken: string | null }> {
  const { db, accountId } = scope;
  const email = input.email.trim().toLowerCase();
  const membership = {
    accountId,
    role: input.role ?? "agent",
    availability: input.availability ?? "offline",
    autoOffline: input.auto_offline ?? true,
  } as const;
  const [existing] = await db
    .select({
      userId: users.id,
      membershipId: accountUsers.id,
      hasPassword: sql<number>`${users.passwordHash} is not null`,
    })
    .from(users)
    .leftJoin(accountUsers, and(eq(accountUsers.userId, users.id), eq(accountUsers.accountId, accountId)))
    .where(eq(users.email, email));
  if (existing?.membershipId) throw alreadyAgent();

  if (existing) {
    const link = existing.hasPassword ? null : await passwordTokenFor(db, existing.userId);
    const [added, rows] = await db.batch([
      db
        .insert(accountUsers)
        .values({ ...membership, userId: existing.userId })
        .onConflictDoNothing()
        .returning(),
      agentRows(db, accountId, eq(users.id, existing.userId)),
      ...(link ? [link.statement] : []),
    ]);
    if (!added[0]) throw alreadyAgent();
    return { ...rows[0], passwordToken: link?.token ?? null };
  }

  const { tokenHash } = await newAccessToken();
  const newUserId = sql`(select ${users.id} from ${users} where ${users.email} = ${email})`;
  const link = await passwordTokenFor(db, newUserId);
  try {
    const [, , , rows] = await db.batch([
      db.insert(users).values({ name: input.name, email, pubsubToken: secureToken() }),
      db.insert(accessTokens).values({ userId: newUserId, tokenHash }),
      db.insert(accountUsers).values({ ...membership, userId: newUserId }),
      agentRows(db, accountId, eq(users.email, email)),
      link.statement,
    ]);
    return { ...rows[0], passwordToken: link.token };
  } catch (err) {
    // Someone created this e-mail's user meanwhile: add that user instead, once.
    if (!retried && isUniqueViolation(err)) return createAgent(scope, input, true);
    throw err;
  }
}

/** Statements' condition: the agent is in the account and is not the account's last administrator. */
function notLastAdmin(accountId: number, userId: number) {
  return sql`exists (select 1 from ${accountUsers} au where au.account_id = ${accountId} and au.user_id = ${userId}
    and (au.role <> 'administrator' or (select count(*) from ${accountUsers} o where o.account_id = ${accountId}
      and o.role = 'administrator' and o.user_id <> ${userId}) > 0))`;
}

const lastAdmin = () =>
  unprocessable("The account's last administrator cannot be removed or demoted", [
    { field: "role", message: "the account needs at least one administrator" },
  ]);

/** The agent and whether another administrator exists (one round trip). */
async function loadAgent({ db, accountId }: ServiceContext, userId: number) {
  const [rows, others] = await db.batch([
    agentRows(db, accountId, eq(users.id, userId)),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(accountUsers)
      .where(
        and(
          eq(accountUsers.accountId, accountId),
          eq(accountUsers.role, "administrator"),
          sql`${accountUsers.userId} <> ${userId}`,
        ),
      ),
  ]);
  if (!rows[0]) throw notFound("Agent");
  return { agent: rows[0], lastAdmin: rows[0].membership.role === "administrator" && others[0].n === 0 };
}

export type AgentUpdateInput = z.output<typeof AgentUpdateBody>;

/**
 * Updates the user's name and the account membership. Demoting the last administrator is
 * refused (422), and re-checked inside the write so two concurrent demotions cannot both pass.
 */
export async function updateAgent(scope: ServiceContext, userId: number, input: AgentUpdateInput): Promise<AgentRow> {
  const { db, accountId } = scope;
  const current = await loadAgent(scope, userId);
  const demotes = input.role === "agent";
  if (demotes && current.lastAdmin) throw lastAdmin();
  const role = input.role ?? current.agent.membership.role;
  const guard = demotes ? notLastAdmin(accountId, userId) : sql`1`;
  const [updated, , rows] = await db.batch([
    db
      .update(accountUsers)
      .set({ role, availability: input.availability, autoOffline: input.auto_offline, updatedAt: Date.now() })
      .where(and(eq(accountUsers.accountId, accountId), eq(accountUsers.userId, userId), guard))
      .returning({ id: accountUsers.id }),
    // Only renames when the membership update above went through (same role now).
    db
      .update(users)
      .set({ name: input.name ?? sql`${users.name}` })
      .where(
        and(
          eq(users.id, userId),
          sql`(select role from ${accountUsers} where account_id = ${accountId} and user_id = ${userId}) = ${role}`,
        ),
      ),
    agentRows(db, accountId, eq(users.id, userId)),
  ]);
  if (!updated[0]) {
    if (!rows[0]) throw notFound("Agent");
    throw lastAdmin();
  }
  return rows[0];
}

/**
 * Removes the user from the account: its membership, its inbox and team memberships there,
 * and its conversation assignments there. The user itself (and other accounts) stay.
 */
export async function removeAgent(scope: ServiceContext, userId: number) {
  const { db, accountId } = scope;
  const current = await loadAgent(scope, userId);
  if (current.lastAdmin) throw lastAdmin();
  const guard = notLastAdmin(accountId, userId);
  const [, , , removed] = await db.batch([...accountRemovalStatements(db, accountId, userId, guard)]);
  if (!removed[0]) throw lastAdmin();
}
