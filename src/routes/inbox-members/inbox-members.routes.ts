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
  middleware: [authenticate({ account: true })],
  request: { params: InboxMembersParams },
  responses: { 200: json(InboxMemberList, "Members"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Add agents to an inbox (administrators)",
  middleware: [admin],
  request: { params: AccountParams, body: body(InboxMembersBody) },
  responses: { 200: json(InboxMemberList, "All members of the inbox"), ...errors },
});

export const update = createRoute({
  method: "patch",
  path: base,
  tags,
  summary: "Replace an inbox's agents with `user_ids` (administrators)",
  middleware: [admin],
  request: { params: AccountParams, body: body(InboxMembersReplaceBody) },
  responses: { 200: json(InboxMemberList, "All members of the inbox"), ...errors },
});

export const remove = createRoute({
  method: "delete",
  path: base,
  tags,
  summary: "Remove agents from an inbox (administrators)",
  middleware: [admin],
  request: { params: AccountParams, body: body(InboxMembersBody) },
  responses: { 200: json(InboxMemberList, "The remaining members"), ...errors },
});
