import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Deleted } from "../../lib/schemas";
import * as s from "./webhooks.schemas";

const base = "/api/v1/accounts/{account_id}/webhooks";
const tags = ["Webhooks"];
const admin = authenticate({ account: true, admin: true });

export const events = createRoute({
  method: "get",
  path: `${base}/events`,
  tags,
  summary: "The events a webhook can subscribe to (administrators)",
  description:
    "Only the account's administrators may call this. Answers the event names accepted in `subscriptions`, in " +
    "`payload`.",
  middleware: admin,
  request: { params: AccountParams },
  responses: { 200: json(s.WebhookEventList, "Event names"), ...errors },
});

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "List the account's webhooks (administrators)",
  description:
    "Only the account's administrators may call this. Lists the account's webhooks oldest first, each with its inbox " +
    "filter and signing secret.",
  middleware: admin,
  request: { params: AccountParams },
  responses: { 200: json(s.WebhookList, "Webhooks"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a webhook (administrators)",
  description:
    "The URL must be http(s), unique in the account and, in production, not a private, loopback or link-local " +
    "address. " +
    'With `inbox_id` the webhook only receives that inbox\'s events. The body may be wrapped as `{"webhook": {...}}`.',
  middleware: admin,
  request: { params: AccountParams, body: body(s.WebhookCreateBody, { wrap: "webhook" }) },
  responses: { 200: json(s.WebhookPayload, "The new webhook with its signing secret"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update a webhook (administrators)",
  description: "A new `url`, or `webhook_disabled: false`, re-enables a webhook that was disabled after failing.",
  middleware: admin,
  request: { params: s.WebhookParams, body: body(s.WebhookUpdateBody, { wrap: "webhook" }) },
  responses: { 200: json(s.WebhookPayload, "The updated webhook"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete a webhook and its delivery log (administrators)",
  description: "Only the account's administrators may call this; another account's webhook id answers 404.",
  middleware: admin,
  request: { params: s.WebhookParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

export const resetSecret = createRoute({
  method: "post",
  path: `${base}/{id}/reset_secret`,
  tags,
  summary: "Regenerate the signing secret (administrators); the previous one keeps signing for 24 hours",
  description:
    "Only the account's administrators may call this. Answers the webhook with its new `secret`; another account's " +
    "webhook id answers 404.",
  middleware: admin,
  request: { params: s.WebhookParams },
  responses: { 200: json(s.WebhookPayload, "The webhook with its new secret"), ...errors },
});
