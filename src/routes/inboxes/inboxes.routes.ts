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
  description:
    "Any agent of the account may call this: administrators get every inbox of the account, other agents the inboxes " +
    "they are members of, by id in `payload`. `hmac_token` and `secret` are shown to administrators only.",
  middleware: member,
  request: { params: AccountParams },
  responses: { 200: json(InboxList, "Inboxes"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "Show an inbox (`hmac_token` and `secret` for administrators only)",
  description:
    "Any agent of the account may call this for an inbox they are a member of (administrators: any); another inbox, " +
    "or another account's, answers 404.",
  middleware: member,
  request: { params: InboxParams },
  responses: { 200: json(Inbox, "The inbox"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create an API-channel inbox (administrators)",
  description: 'Only `channel.type: "api"` is supported; other channel types answer 422.',
  middleware: admin,
  request: { params: AccountParams, body: body(InboxCreateBody, { wrap: "inbox" }) },
  responses: { 200: json(Inbox, "The new inbox"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update an inbox and its API channel (administrators)",
  description:
    "Only the account's administrators may call this; PATCH and PUT behave alike and change only the fields sent. A " +
    "real change emits `inbox_updated`; setting `channel.webhook_url` re-enables a webhook disabled after failures.",
  middleware: admin,
  request: { params: InboxParams, body: body(InboxUpdateBody, { wrap: "inbox" }) },
  responses: { 200: json(Inbox, "The updated inbox"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete an inbox with its conversations (administrators)",
  description:
    "Only the account's administrators may call this. Its members, contact_inboxes, conversations and messages go " +
    "with it; another account's inbox id answers 404.",
  middleware: admin,
  request: { params: InboxParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

export const resetSecret = createRoute({
  method: "post",
  path: `${base}/{id}/reset_secret`,
  tags,
  summary: "Regenerate the webhook signing secret (administrators); the previous one keeps signing for 24 hours",
  description:
    "Only the account's administrators may call this. Answers the inbox with its new `secret`; another account's " +
    "inbox id answers 404.",
  middleware: admin,
  request: { params: InboxParams },
  responses: { 200: json(Inbox, "The inbox with its new secret"), ...errors },
});
