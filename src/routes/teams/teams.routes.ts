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
  description: "Any agent of the account may list its teams, ordered by id, each with whether the caller is a member.",
  middleware: member,
  request: { params: AccountParams },
  responses: { 200: json(s.TeamList, "Teams"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a team (administrators)",
  description:
    "Only the account's administrators may create teams. The name is stored lower-cased and is unique in the " +
    "account regardless of case: a name already taken answers 422.",
  middleware: admin,
  request: { params: AccountParams, body: body(s.TeamCreateBody, { wrap: "team" }) },
  responses: { 200: json(s.Team, "The team"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "Show a team",
  description: "Any agent of the account may read a team; another account's team id answers 404.",
  middleware: member,
  request: { params: s.TeamParams },
  responses: { 200: json(s.Team, "The team"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update a team (administrators)",
  description:
    "Only the account's administrators may update a team; PATCH and PUT behave alike and change only the fields " +
    "sent. A name already taken in the account (regardless of case) answers 422; another account's team answers 404.",
  middleware: admin,
  request: { params: s.TeamParams, body: body(s.TeamUpdateBody, { wrap: "team" }) },
  responses: { 200: json(s.Team, "The team"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete a team (administrators); its conversations keep no team",
  description:
    "Only the account's administrators may delete a team. Its memberships are removed with it and its " +
    "conversations are left without a team; another account's team id answers 404.",
  middleware: admin,
  request: { params: s.TeamParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

const members = `${base}/{team_id}/team_members`;

export const listMembers = createRoute({
  method: "get",
  path: members,
  tags,
  summary: "The team's agents (a bare array)",
  description: "Any agent of the account may list a team's members, as agents sorted by name.",
  middleware: member,
  request: { params: s.TeamMembersParams },
  responses: { 200: json(s.TeamMemberList, "Members"), ...errors },
});

export const addMembers = createRoute({
  method: "post",
  path: members,
  tags,
  summary: "Add agents to a team (administrators)",
  description: "Answers the agents this call added, as Chatwoot does (already-members are not repeated).",
  middleware: admin,
  request: { params: s.TeamMembersParams, body: body(s.TeamMembersBody, { wrap: "team_member" }) },
  responses: { 200: json(s.TeamMemberList, "The added agents"), ...errors },
});

export const setMembers = createRoute({
  method: "patch",
  path: members,
  tags,
  summary: "Replace a team's agents with `user_ids` (administrators)",
  description:
    "Only the account's administrators may do this. The team's members become exactly `user_ids` and all of them " +
    "are returned; a user who is not an agent of the account answers 422.",
  middleware: admin,
  request: { params: s.TeamMembersParams, body: body(s.TeamMembersReplaceBody, { wrap: "team_member" }) },
  responses: { 200: json(s.TeamMemberList, "All members"), ...errors },
});

export const removeMembers = createRoute({
  method: "delete",
  path: members,
  tags,
  summary: "Remove agents from a team (administrators)",
  description:
    "Only the account's administrators may do this. Returns the members that remain; a user who is not an agent " +
    "of the account answers 422.",
  middleware: admin,
  request: { params: s.TeamMembersParams, body: body(s.TeamMembersBody, { wrap: "team_member" }) },
  responses: { 200: json(s.TeamMemberList, "The remaining members"), ...errors },
});
