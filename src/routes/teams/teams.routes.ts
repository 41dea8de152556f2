import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Deleted } from "../../lib/schemas";
import * as s from "./teams.schemas";

const base = "/api/v1/accounts/{account_id}/teams";
const tags = ["Teams"];
const member = authenticate({ account: true });
const admin = authenticate({ account: true, admin: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The account's teams (a bare array); `is_member` is about the caller",
  middleware: [member],
  request: { params: AccountParams },
  responses: { 200: json(s.TeamList, "Teams"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a team (administrators)",
  middleware: [admin],
  request: { params: AccountParams, body: body(s.TeamCreateBody) },
  responses: { 200: json(s.Team, "The team"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "Show a team",
  middleware: [member],
  request: { params: s.TeamParams },
  responses: { 200: json(s.Team, "The team"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update a team (administrators)",
  middleware: [admin],
  request: { params: s.TeamParams, body: body(s.TeamUpdateBody) },
  responses: { 200: json(s.Team, "The team"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete a team (administrators); its conversations keep no team",
  middleware: [admin],
  request: { params: s.TeamParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

const members = `${base}/{team_id}/team_members`;

export const listMembers = createRoute({
  method: "get",
  path: members,
  tags,
  summary: "The team's agents (a bare array)",
  middleware: [member],
  request: { params: s.TeamMembersParams },
  responses: { 200: json(s.TeamMemberList, "Members"), ...errors },
});

export const addMembers = createRoute({
  method: "post",
  path: members,
  tags,
  summary: "Add agents to a team (administrators)",
  description: "Answers the agents this call added, as Chatwoot does (already-members are not repeated).",
  middleware: [admin],
  request: { params: s.TeamMembersParams, body: body(s.TeamMembersBody) },
  responses: { 200: json(s.TeamMemberList, "The added agents"), ...errors },
});

export const setMembers = createRoute({
  method: "patch",
  path: members,
  tags,
  summary: "Replace a team's agents with `user_ids` (administrators)",
  middleware: [admin],
  request: { params: s.TeamMembersParams, body: body(s.TeamMembersReplaceBody) },
  responses: { 200: json(s.TeamMemberList, "All members"), ...errors },
});

export const removeMembers = createRoute({
  method: "delete",
  path: members,
  tags,
  summary: "Remove agents from a team (administrators)",
  middleware: [admin],
  request: { params: s.TeamMembersParams, body: body(s.TeamMembersBody) },
  responses: { 200: json(s.TeamMemberList, "The remaining members"), ...errors },
});
