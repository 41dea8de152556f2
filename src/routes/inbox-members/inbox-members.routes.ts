import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import {
  InboxMemberList,
  InboxMembersBody,
  InboxMembersParams,
  InboxMembersReplaceBody,
} from "./inbox-members.schemas";

const base = "/api/v1/accounts/{account_id}/inbox_members";
const tags = ["Inboxes"];
const admin = authenticate({ account: true, admin: true });

export const list = createRoute({
  method: "get",
  path: `${base}/{inbox_id}`,
  tags,
  summary: "The inbox's agents",
  description:
    "Any agent of the account may call this for an inbox they are a member of (administrators: any inbox); another " +
    "inbox answers 404. Answers the members, sorted by name, in `payload`.",
  middleware: authenticate({ account: true }),
  request: { params: InboxMembersParams },
  responses: { 200: json(InboxMemberList, "Members"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Add agents to an inbox (administrators)",
  description:
    "Only the account's administrators may call this. Answers every member of the inbox, not only the added ones; a " +
    "user who is not an agent of the account answers 422 and another account's inbox 404.",
  middleware: admin,
  request: { params: AccountParams, body: body(InboxMembersBody, { wrap: "inbox_member" }) },
  responses: { 200: json(InboxMemberList, "All members of the inbox"), ...errors },
});

export const update = createRoute({
  method: "patch",
  path: base,
  tags,
  summary: "Replace an inbox's agents with `user_ids` (administrators)",
  description:
    "Only the account's administrators may call this. The inbox's members become exactly `user_ids`; a user who is " +
    "not an agent of the account answers 422 and another account's inbox 404.",
  middleware: admin,
  request: { params: AccountParams, body: body(InboxMembersReplaceBody, { wrap: "inbox_member" }) },
  responses: { 200: json(InboxMemberList, "All members of the inbox"), ...errors },
});

export const remove = createRoute({
  method: "delete",
  path: base,
  tags,
  summary: "Remove agents from an inbox (administrators)",
  description:
    "Only the account's administrators may call this. Answers the members that remain; a user who is not an agent of " +
    "the account answers 422 and another account's inbox 404.",
  middleware: admin,
  request: { params: AccountParams, body: body(InboxMembersBody, { wrap: "inbox_member" }) },
  responses: { 200: json(InboxMemberList, "The remaining members"), ...errors },
});
