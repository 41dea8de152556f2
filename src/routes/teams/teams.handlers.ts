import type { AppRouteHandler } from "../openapi";
import type { AppEnv } from "../../middleware/context";
import { team } from "../../serializers/team";
import { agent } from "../../serializers/user";
import type { AgentRow } from "../../services/agents";
import * as teams from "../../services/teams";
import type * as routes from "./teams.routes";

type Vars = { var: AppEnv["Variables"] };

const me = (c: Vars) => c.var.principal.user.id;
const teamJson = (r: teams.TeamWithMembership) => team(r.team, r.isMember);
const agents = (rows: AgentRow[]) => rows.map((r) => agent(r.user, r.membership));

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  return c.json((await teams.listTeams(c.var.ctx, me(c))).map(teamJson), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  return c.json(teamJson(await teams.createTeam(c.var.ctx, input)), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(teamJson(await teams.showTeam(c.var.ctx, me(c), id)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  return c.json(teamJson(await teams.updateTeam(c.var.ctx, me(c), id, input)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await teams.deleteTeam(c.var.ctx, id);
  return c.json({ message: "Team deleted" }, 200);
};

export const listMembers: AppRouteHandler<typeof routes, "listMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  return c.json(agents(await teams.listTeamMembers(c.var.ctx, team_id)), 200);
};

export const addMembers: AppRouteHandler<typeof routes, "addMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  const { user_ids } = c.req.valid("json");
  return c.json(agents(await teams.addTeamMembers(c.var.ctx, team_id, user_ids)), 200);
};

export const setMembers: AppRouteHandler<typeof routes, "setMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  const { user_ids } = c.req.valid("json");
  return c.json(agents(await teams.setTeamMembers(c.var.ctx, team_id, user_ids)), 200);
};

export const removeMembers: AppRouteHandler<typeof routes, "removeMembers"> = async (c) => {
  const { team_id } = c.req.valid("param");
  const { user_ids } = c.req.valid("json");
  return c.json(agents(await teams.removeTeamMembers(c.var.ctx, team_id, user_ids)), 200);
};
