import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { inList, notInList } from "../db/select";
import { accountUsers, teamMembers, teams, users } from "../db/schema";
import { isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import { accountUserIds, agentRows, assertAccountUsers, type AgentRow } from "./agents";
import type { TeamRow } from "../db/schema";
import type { DB } from "../db/client";

type Scope = { db: DB; accountId: number };

export type TeamInput = {
  name?: string;
  description?: string | null;
  allow_auto_assign?: boolean;
  icon?: string | null;
  icon_color?: string | null;
};

export type TeamWithMembership = { team: TeamRow; isMember: boolean };

const isMember = (userId: number) =>
  sql<boolean>`exists (select 1 from ${teamMembers} tm where tm.team_id = ${teams.id} and tm.user_id = ${userId})`
    .mapWith(Boolean)
    .as("is_member");

const inAccount = (accountId: number, id: number) => and(eq(teams.accountId, accountId), eq(teams.id, id))!;

const nameTaken = () =>
  unprocessable("Name has already been taken", [{ field: "name", message: "has already been taken" }]);

function columns(input: TeamInput) {
  return {
    // Chatwoot stores team names lower-cased; uniqueness per account is therefore case-insensitive.
    name: input.name?.toLowerCase(),
    description: input.description,
    allowAutoAssign: input.allow_auto_assign,
    icon: input.icon,
    iconColor: input.icon_color,
  };
}

/** The account's teams, each with whether `userId` is a member. */
export function listTeams({ db, accountId }: Scope, userId: number): Promise<TeamWithMembership[]> {
  return db
    .select({ team: teams, isMember: isMember(userId) })
    .from(teams)
    .where(eq(teams.accountId, accountId))
    .orderBy(asc(teams.id));
}

export async function showTeam({ db, accountId }: Scope, userId: number, id: number): Promise<TeamWithMembership> {
  const [row] = await db
    .select({ team: teams, isMember: isMember(userId) })
    .from(teams)
    .where(inAccount(accountId, id));
  if (!row) throw notFound("Team");
  return row;
}

/** Creates a team; the name is unique per account (422 otherwise). */
export async function createTeam(
  { db, accountId }: Scope,
  input: TeamInput & { name: string },
): Promise<TeamWithMembership> {
  try {
    const [team] = await db
      .insert(teams)
      .values({ ...columns(input), name: input.name.toLowerCase(), accountId })
      .returning();
    return { team, isMember: false };
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

export async function updateTeam(
  scope: Scope,
  userId: number,
  id: number,
  input: TeamInput,
): Promise<TeamWithMembership> {
  const { db, accountId } = scope;
  try {
    const [updated] = await db
      .update(teams)
      .set({ ...columns(input), updatedAt: Date.now() })
      .where(inAccount(accountId, id))
      .returning({ id: teams.id });
    if (!updated) throw notFound("Team");
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
  return showTeam(scope, userId, id);
}

/** Deletes the team; its memberships go with it and its conversations become team-less. */
export async function deleteTeam({ db, accountId }: Scope, id: number) {
  const deleted = await db.delete(teams).where(inAccount(accountId, id)).returning({ id: teams.id });
  if (!deleted[0]) throw notFound("Team");
}

const memberIds = (db: DB, teamId: number) =>
  db.select({ userId: teamMembers.userId }).from(teamMembers).where(eq(teamMembers.teamId, teamId));

const membersOf = (db: DB, accountId: number, teamId: number) =>
  agentRows(db, accountId, inArray(users.id, memberIds(db, teamId)));

export async function listTeamMembers({ db, accountId }: Scope, teamId: number): Promise<AgentRow[]> {
  const [team, rows] = await db.batch([
    db.select({ id: teams.id }).from(teams).where(inAccount(accountId, teamId)),
    membersOf(db, accountId, teamId),
  ]);
  if (!team[0]) throw notFound("Team");
  return rows;
}

/** The team exists in the account and every user is an agent of it; returns the current member ids. */
async function checkMembers({ db, accountId }: Scope, teamId: number, userIds: number[]) {
  const [team, found, current] = await db.batch([
    db.select({ id: teams.id }).from(teams).where(inAccount(accountId, teamId)),
    accountUserIds(db, accountId, userIds),
    memberIds(db, teamId),
  ]);
  if (!team[0]) throw notFound("Team");
  assertAccountUsers(found, userIds);
  return new Set(current.map((r) => r.userId));
}

/**
 * Inserts memberships only for users of the account, and only while the team is in the
 * account: a concurrent removal can never let another account's user in.
 */
function insertMembers(db: DB, accountId: number, teamId: number, userIds: number[]) {
  return db
    .insert(teamMembers)
    .select(
      db
        .select({
          teamId: sql<number>`${teamId}`.as("team_id"),
          userId: accountUsers.userId,
          createdAt: sql<number>`${Date.now()}`.as("created_at"),
        })
        .from(accountUsers)
        .where(
          and(
            eq(accountUsers.accountId, accountId),
            inList(accountUsers.userId, userIds),
            sql`exists (select 1 from ${teams} where ${teams.id} = ${teamId} and ${teams.accountId} = ${accountId})`,
          ),
        ),
    )
    .onConflictDoNothing();
}

/** Adds members; returns the agents this call added (Chatwoot's create answers only those). */
export async function addTeamMembers(scope: Scope, teamId: number, userIds: number[]): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const ids = [...new Set(userIds)];
  const current = await checkMembers(scope, teamId, ids);
  const added = ids.filter((id) => !current.has(id));
  const [, rows] = await db.batch([
    insertMembers(db, accountId, teamId, ids),
    agentRows(db, accountId, inList(users.id, added)),
  ]);
  return rows;
}

/** Makes the team's members exactly `userIds`; returns all members. */
export async function setTeamMembers(scope: Scope, teamId: number, userIds: number[]): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const ids = [...new Set(userIds)];
  await checkMembers(scope, teamId, ids);
  const [, , rows] = await db.batch([
    db.delete(teamMembers).where(and(eq(teamMembers.teamId, teamId), notInList(teamMembers.userId, ids))),
    insertMembers(db, accountId, teamId, ids),
    membersOf(db, accountId, teamId),
  ]);
  return rows;
}

/** Removes members; returns the remaining members. */
export async function removeTeamMembers(scope: Scope, teamId: number, userIds: number[]): Promise<AgentRow[]> {
  const { db, accountId } = scope;
  const ids = [...new Set(userIds)];
  await checkMembers(scope, teamId, ids);
  const [, rows] = await db.batch([
    db.delete(teamMembers).where(and(eq(teamMembers.teamId, teamId), inList(teamMembers.userId, ids))),
    membersOf(db, accountId, teamId),
  ]);
  return rows;
}
