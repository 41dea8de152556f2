import { createRoute } from "@hono/zod-openapi";
import { json } from "../openapi";
import { CursorExpiredEnvelope } from "../../lib/schemas";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import * as s from "./webhooks.schemas";

const account = "/api/v1/accounts/{account_id}";
const tags = ["Webhooks"];
const admin = authenticate({ account: true, admin: true });
const listDescription =
  "Newest first, 25 a page: each delivery's event, status, attempts, last status code, latency, response snippet " +
  "and next attempt time. With `after` (a delivery id) instead of `page`: the deliveries after it, oldest first, " +
  "and `meta.next_after`. Deliveries are kept for a retention period (30 days by default): a cursor whose next " +
  "deliveries were deleted answers 410 with `oldest_available_id`.";
const expired = {
  410: {
    content: { "application/json": { schema: CursorExpiredEnvelope } },
    description: "The deliveries after `after` are no longer kept",
  },
};

export const webhookDeliveries = createRoute({
  method: "get",
  path: `${account}/webhooks/{id}/deliveries`,
  tags,
  summary: "A webhook's delivery log (administrators)",
  description: listDescription,
  middleware: admin,
  request: { params: s.WebhookParams, query: s.DeliveryListQuery },
  responses: { 200: json(s.DeliveryList, "A page of deliveries"), ...errors, ...expired },
});

export const webhookRedeliver = createRoute({
  method: "post",
  path: `${account}/webhooks/{id}/deliveries/{delivery_id}/redeliver`,
  tags,
  summary: "Send a webhook delivery again now, with the same webhook-id (administrators)",
  description:
    "Only the account's administrators may call this. The delivery is queued for a fresh attempt; a delivery of " +
    "another webhook or account answers 404.",
  middleware: admin,
  request: { params: s.WebhookDeliveryParams },
  responses: { 200: json(s.DeliveryPayload, "The delivery, pending again"), ...errors },
});

export const inboxDeliveries = createRoute({
  method: "get",
  path: `${account}/inboxes/{id}/deliveries`,
  tags,
  summary: "The delivery log of an API inbox's webhook_url (administrators)",
  description: listDescription,
  middleware: admin,
  request: { params: s.InboxParams, query: s.DeliveryListQuery },
  responses: { 200: json(s.DeliveryList, "A page of deliveries"), ...errors, ...expired },
});

export const inboxRedeliver = createRoute({
  method: "post",
  path: `${account}/inboxes/{id}/deliveries/{delivery_id}/redeliver`,
  tags,
  summary: "Send a webhook_url delivery again now, with the same webhook-id (administrators)",
  description:
    "Only the account's administrators may call this. The delivery is queued for a fresh attempt; a delivery of " +
    "another inbox or account answers 404.",
  middleware: admin,
  request: { params: s.InboxDeliveryParams },
  responses: { 200: json(s.DeliveryPayload, "The delivery, pending again"), ...errors },
});
