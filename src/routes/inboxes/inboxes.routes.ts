import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Deleted } from "../../lib/schemas";
import { Inbox, InboxCreateBody, InboxList, InboxParams, InboxUpdateBody } from "./inboxes.schemas";

const base = "/api/v1/accounts/{account_id}/inboxes";
const tags = ["Inboxes"];
const member = authenticate({ account: true });
const admin = authenticate({ account: true, admin: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "List inboxes (agents see the ones they are members of)",
  middleware: [member],
  request: { params: AccountParams },
  responses: { 200: json(InboxList, "Inboxes"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "Show an inbox (`hmac_token` and `secret` for administrators only)",
  middleware: [member],
  request: { params: InboxParams },
  responses: { 200: json(Inbox, "The inbox"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create an API-channel inbox (administrators)",
  description: 'Only `channel.type: "api"` is supported; other channel types answer 422.',
  middleware: [admin],
  request: { params: AccountParams, body: body(InboxCreateBody) },
  responses: { 200: json(Inbox, "The new inbox"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update an inbox and its API channel (administrators)",
  middleware: [admin],
  request: { params: InboxParams, body: body(InboxUpdateBody) },
  responses: { 200: json(Inbox, "The updated inbox"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete an inbox with its conversations (administrators)",
  middleware: [admin],
  request: { params: InboxParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

export const resetSecret = createRoute({
  method: "post",
  path: `${base}/{id}/reset_secret`,
  tags,
  summary: "Regenerate the webhook signing secret (administrators); the previous one keeps signing for 24 hours",
  middleware: [admin],
  request: { params: InboxParams },
  responses: { 200: json(Inbox, "The inbox with its new secret"), ...errors },
});
