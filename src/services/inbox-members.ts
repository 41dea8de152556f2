import { and, eq, sql } from "drizzle-orm";
import { inList, notInList } from "../db/select";
import { accountUsers, inboxes, inboxMembers } from "../db/schema";
import { notFound } from "../lib/errors";
import { accountUserIds, assertAccountUsers, type AgentRow } from "./agents";
import { inboxMemberRows, visibleInbox } from "./inboxes";
import type { DB } from "../db/client";
import type { Viewer } from "../views/visibility";

type Scope = { db: DB; accountId: number };

/** The inbox's agents; an inbox the viewer may not see answers 404, like a missing one. */
export async function listInboxMembers({ db, accountId }: Scope, viewer: Viewer, inboxId: number): Promise<AgentRow[]> {
  const [inbox, rows] = await db.batch([
    visibleInbox(db, accountId, viewer, inboxId),
    inboxMemberRows(db, accountId, inboxId),
  ]);
  if (!inbox[0]) throw notFound("Inbox");
  return rows;
}

/** 404 unless the inbox is in the account; 422 unless every user is an agent of it. */
async function check({ db, accountId }: Scope, inboxId: number, userIds: number[]) {
  const [inbox, found] = await db.batch([
    db
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(and(eq(inboxes.accountId, accountId), eq(inboxes.id, inboxId))),
    accountUserIds(db, accountId, userIds),
  ]);
  if (!inbox[0]) throw notFound("Inbox");
  assertAccountUsers(found, userIds);
}

/**
 * Inserts memberships only for users of the account and only while the inbox is in the
 * account, so a concurrent change can never let another account's user in.
 */
function insertMembers(db: DB, accountId: number, inboxId: number, userIds: number[]) {
  return db
    .insert(inboxMembers)
    .select(
      db
        .select({
          inboxId: sql<number>`${inboxId}`.as("inbox_id"),
          userId: accountUsers.userId,
          createdAt: sql<number>`${Date.now()}`.as("created_at"),
        })
        .from(accountUsers)
        .where(
          and(
            eq(accountUsers.accountId, accountId),
            inList(accountUsers.userId, userIds),
            sql`exists (select 1 from ${inboxes} where ${inboxes.id} = ${inboxId}
              and ${inboxes.accountId} = ${accountId})`,
          ),
        ),
    )
    .onConflictDoNothing();
}

/** Adds agents to the inbox; returns all its members. */
export async function addToInbox(scope: Scope, inboxId: number, userIds: number[]): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const ids = [...new Set(userIds)];
  await check(scope, inboxId, ids);
  const [, rows] = await db.batch([
    insertMembers(db, accountId, inboxId, ids),
    inboxMemberRows(db, accountId, inboxId),
  ]);
  return rows;
}

/** Makes the inbox's members exactly `userIds`; returns them. */
export async function setInboxMembers(scope: Scope, inboxId: number, userIds: number[]): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const ids = [...new Set(userIds)];
  await check(scope, inboxId, ids);
  const [, , rows] = await db.batch([
    db.delete(inboxMembers).where(and(eq(inboxMembers.inboxId, inboxId), notInList(inboxMembers.userId, ids))),
    insertMembers(db, accountId, inboxId, ids),
    inboxMemberRows(db, accountId, inboxId),
  ]);
  return rows;
}

/** Removes agents from the inbox; returns the remaining members. */
export async function removeFromInbox(scope: Scope, inboxId: number, userIds: number[]): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const ids = [...new Set(userIds)];
  await check(scope, inboxId, ids);
  const [, rows] = await db.batch([
    db.delete(inboxMembers).where(and(eq(inboxMembers.inboxId, inboxId), inList(inboxMembers.userId, ids))),
    inboxMemberRows(db, accountId, inboxId),
  ]);
  return rows;
}
