import { and, asc, eq, sql } from "drizzle-orm";
import { addMembers, memberRows, removeMembers, setMembers } from "./member-sets";
import { teamMembers, teams } from "../db/schema";
import { isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import type { AgentRow } from "./agents";
import type { TeamRow } from "../db/schema";
import type { ServiceContext } from "./context";
import type { z } from "@hono/zod-openapi";
import type { TeamCreateBody, TeamUpdateBody } from "../routes/teams/teams.schemas";

export type TeamInput = z.output<typeof TeamUpdateBody>;

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
export function listTeams({ db, accountId }: ServiceContext, userId: number): Promise<TeamWithMembership[]> {
  return db
    .select({ team: teams, isMember: isMember(userId) })
    .from(teams)
    .where(eq(teams.accountId, accountId))
    .orderBy(asc(teams.id));
}

export async function showTeam(
  { db, accountId }: ServiceContext,
  userId: number,
  id: number,
): Promise<TeamWithMembership> {
  const [row] = await db
    .select({ team: teams, isMember: isMember(userId) })
    .from(teams)
    .where(inAccount(accountId, id));
  if (!row) throw notFound("Team");
  return row;
}

/** Creates a team; the name is unique per account (422 otherwise). */
export async function createTeam(
  { db, accountId }: ServiceContext,
  input: z.output<typeof TeamCreateBody>,
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
  scope: ServiceContext,
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
export async function deleteTeam({ db, accountId }: ServiceContext, id: number) {
  const deleted = await db.delete(teams).where(inAccount(accountId, id)).returning({ id: teams.id });
  if (!deleted[0]) throw notFound("Team");
}

export async function listTeamMembers({ db, accountId }: ServiceContext, teamId: number): Promise<AgentRow[]> {
  const [team, rows] = await db.batch([
    db.select({ id: teams.id }).from(teams).where(inAccount(accountId, teamId)),
    memberRows(db, accountId, "team", teamId),
  ]);
  if (!team[0]) throw notFound("Team");
  return rows;
}

/** Adds members; returns the agents this call added (Chatwoot's create answers only those). */
export const addTeamMembers = (scope: ServiceContext, teamId: number, userIds: number[]): Promise<AgentRow[]> =>
  addMembers(scope, "team", teamId, userIds, "added");

/** Makes the team's members exactly `userIds`; returns all members. */
export const setTeamMembers = (scope: ServiceContext, teamId: number, userIds: number[]): Promise<AgentRow[]> =>
  setMembers(scope, "team", teamId, userIds);

/** Removes members; returns the remaining members. */
export const removeTeamMembers = (scope: ServiceContext, teamId: number, userIds: number[]): Promise<AgentRow[]> =>
  removeMembers(scope, "team", teamId, userIds);
