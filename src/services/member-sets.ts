import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { DB } from "../db/client";
import { accountUsers, inboxes, inboxMembers, teamMembers, teams, users } from "../db/schema";
import { inList, notInList } from "../db/select";
import { notFound } from "../lib/errors";
import { accountUserIds, type AgentRow, agentRows, assertAccountUsers } from "./agents";
import type { ServiceContext } from "./context";

/**
 * A group of the account's agents kept in a membership table: an inbox's members or a team's.
 * Adding, replacing and removing members is written once here, for both.
 */
type Group = {
  label: "Inbox" | "Team";
  table: typeof inboxes | typeof teams;
  members: typeof inboxMembers | typeof teamMembers;
  /** The membership table's column naming the group, and its property name. */
  groupColumn: SQLiteColumn;
  groupKey: "inboxId" | "teamId";
  userColumn: SQLiteColumn;
};

const GROUPS = {
  inbox: {
    label: "Inbox",
    table: inboxes,
    members: inboxMembers,
    groupColumn: inboxMembers.inboxId,
    groupKey: "inboxId",
    userColumn: inboxMembers.userId,
  },
  team: {
    label: "Team",
    table: teams,
    members: teamMembers,
    groupColumn: teamMembers.teamId,
    groupKey: "teamId",
    userColumn: teamMembers.userId,
  },
} satisfies Record<string, Group>;

export type GroupKind = keyof typeof GROUPS;

const inAccount = (g: Group, accountId: number, id: number) =>
  and(eq(g.table.accountId, accountId), eq(g.table.id, id));

/** The group's members as agents (summary, role and availability), by name. */
export const memberRows = (db: DB, accountId: number, kind: GroupKind, id: number) => {
  const g: Group = GROUPS[kind];
  const ids = db.select({ userId: g.userColumn }).from(g.members).where(eq(g.groupColumn, id));
  return agentRows(db, accountId, inArray(users.id, ids));
};

/** 404 unless the group is in the account; 422 unless every user is an agent of it. Returns the current members. */
async function check({ db, accountId }: ServiceContext, g: Group, id: number, userIds: number[]) {
  const [group, found, current] = await db.batch([
    db
      .select({ id: g.table.id })
      .from(g.table)
      .where(inAccount(g, accountId, id)),
    accountUserIds(db, accountId, userIds),
    db.select({ userId: g.userColumn }).from(g.members).where(eq(g.groupColumn, id)),
  ]);
  if (!group[0]) throw notFound(g.label);
  assertAccountUsers(found, userIds);
  return new Set(current.map((r) => r.userId as number));
}

/**
 * Inserts memberships only for users of the account and only while the group is in the account,
 * so a concurrent change can never let another account's user in.
 */
function insertMembers(db: DB, accountId: number, g: Group, id: number, userIds: number[]) {
  const inGroup: SQL = sql`exists (select 1 from ${g.table} where ${inAccount(g, accountId, id)})`;
  const rows = db
    .select({
      [g.groupKey]: sql<number>`${id}`.as(g.groupColumn.name),
      userId: accountUsers.userId,
      createdAt: sql<number>`${Date.now()}`.as("created_at"),
    })
    .from(accountUsers)
    .where(and(eq(accountUsers.accountId, accountId), inList(accountUsers.userId, userIds), inGroup));
  // The two membership tables differ only in the group's column, named by `groupKey`.
  return db
    .insert(g.members as typeof inboxMembers)
    .select(rows as never)
    .onConflictDoNothing();
}

/**
 * Adds agents to the group. Returns every member (`answer: "all"`) or only those this call added
 * (Chatwoot's team member create answers only those).
 */
export async function addMembers(
  scope: ServiceContext,
  kind: GroupKind,
  id: number,
  userIds: number[],
  answer: "all" | "added" = "all",
): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const g: Group = GROUPS[kind];
  const ids = [...new Set(userIds)];
  const current = await check(scope, g, id, ids);
  const shown =
    answer === "all"
      ? memberRows(db, accountId, kind, id)
      : agentRows(
          db,
          accountId,
          inList(
            users.id,
            ids.filter((u) => !current.has(u)),
          ),
        );
  const [, rows] = await db.batch([insertMembers(db, accountId, g, id, ids), shown]);
  return rows;
}

/** Makes the group's members exactly `userIds`; returns them. */
export async function setMembers(
  scope: ServiceContext,
  kind: GroupKind,
  id: number,
  userIds: number[],
): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const g: Group = GROUPS[kind];
  const ids = [...new Set(userIds)];
  await check(scope, g, id, ids);
  const [, , rows] = await db.batch([
    db.delete(g.members).where(and(eq(g.groupColumn, id), notInList(g.userColumn, ids))),
    insertMembers(db, accountId, g, id, ids),
    memberRows(db, accountId, kind, id),
  ]);
  return rows;
}

/** Removes agents from the group; returns the remaining members. */
export async function removeMembers(
  scope: ServiceContext,
  kind: GroupKind,
  id: number,
  userIds: number[],
): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const g: Group = GROUPS[kind];
  const ids = [...new Set(userIds)];
  await check(scope, g, id, ids);
  const [, rows] = await db.batch([
    db.delete(g.members).where(and(eq(g.groupColumn, id), inList(g.userColumn, ids))),
    memberRows(db, accountId, kind, id),
  ]);
  return rows;
}
