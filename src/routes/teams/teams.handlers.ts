import type { AppRouteHandler } from "../openapi";
import { parseBody } from "../../lib/body";
import type { AppEnv } from "../../middleware/context";
import { team } from "../../serializers/team";
import { agent } from "../../serializers/user";
import type { AgentRow } from "../../services/agents";
import * as teams from "../../services/teams";
import { TeamCreateBody, TeamMembersBody, TeamMembersReplaceBody, TeamUpdateBody } from "./teams.schemas";
import type * as routes from "./teams.routes";

type Vars = { var: AppEnv["Variables"] };

const scope = (c: Vars) => ({ db: c.var.db, accountId: c.var.principal.account!.id });
const me = (c: Vars) => c.var.principal.user.id;
const teamJson = (r: teams.TeamWithMembership) => team(r.team, r.isMember);
const agents = (rows: AgentRow[]) => rows.map((r) => agent(r.user, r.membership));
// Rails wraps the members controller's JSON params as `team_member`.
const MEMBERS_WRAP = "team_member";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  return c.json((await teams.listTeams(scope(c), me(c))).map(teamJson), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = await parseBody(c, TeamCreateBody, "team");
  return c.json(teamJson(await teams.createTeam(scope(c), input)), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(teamJson(await teams.showTeam(scope(c), me(c), id)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = await parseBody(c, TeamUpdateBody, "team");
  return c.json(teamJson(await teams.updateTeam(scope(c), me(c), id, input)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await teams.deleteTeam(scope(c), id);
  return c.json({ message: "Team deleted" }, 200);
};

export const listMembers: AppRouteHandler<typeof routes, "listMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  return c.json(agents(await teams.listTeamMembers(scope(c), team_id)), 200);
};

export const addMembers: AppRouteHandler<typeof routes, "addMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  const { user_ids } = await parseBody(c, TeamMembersBody, MEMBERS_WRAP);
  return c.json(agents(await teams.addTeamMembers(scope(c), team_id, user_ids)), 200);
};

export const setMembers: AppRouteHandler<typeof routes, "setMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  const { user_ids } = await parseBody(c, TeamMembersReplaceBody, MEMBERS_WRAP);
  return c.json(agents(await teams.setTeamMembers(scope(c), team_id, user_ids)), 200);
};

export const removeMembers: AppRouteHandler<typeof routes, "removeMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  const { user_ids } = await parseBody(c, TeamMembersBody, MEMBERS_WRAP);
  return c.json(agents(await teams.removeTeamMembers(scope(c), team_id, user_ids)), 200);
};
