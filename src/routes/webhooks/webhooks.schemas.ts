import { z } from "@hono/zod-openapi";
import { EVENT_NAMES } from "../../events/registry";
import { accountChild } from "../../lib/params";
import { zBool, zClearable, zId, zInt, zNames, zPage, zQuery } from "../../lib/zod";
import { Delivery } from "../../serializers/delivery";
import { Webhook } from "../../serializers/webhook";
import { zWebhookUrl } from "../../lib/webhook-url";

export const WebhookParams = accountChild("id", "Webhook id");
export const InboxParams = accountChild("id", "Inbox id");
const deliveryId = zId.openapi({
  param: { name: "delivery_id", in: "path" },
  type: "integer",
  description: "Delivery id",
});
export const WebhookDeliveryParams = WebhookParams.extend({ delivery_id: deliveryId });
export const InboxDeliveryParams = InboxParams.extend({ delivery_id: deliveryId });

const WebhookFields = z.object({
  url: zWebhookUrl,
  name: zClearable(z.string().trim().max(255)).optional(),
  subscriptions: zNames(EVENT_NAMES, { nonEmpty: true, what: "event" }).describe(
    "Event names (see GET /webhooks/events); also accepted as a JSON array string or a comma list",
  ),
  inbox_id: zClearable(zId).optional().describe("Only this inbox's events are delivered; null: every inbox"),
});

export const WebhookCreateBody = WebhookFields.openapi("WebhookCreate");

export const WebhookUpdateBody = WebhookFields.partial()
  .extend({
    webhook_disabled: zBool.optional().describe("false re-enables a webhook disabled after failing; true pauses it"),
  })
  .openapi("WebhookUpdate");

export const WebhookList = z.object({ payload: z.object({ webhooks: z.array(Webhook) }) }).openapi("WebhookList");
export const WebhookPayload = z.object({ payload: z.object({ webhook: Webhook }) }).openapi("WebhookPayload");
export const WebhookEventList = z.object({ payload: z.array(z.enum(EVENT_NAMES)) }).openapi("WebhookEventList");

export const DeliveryListQuery = z.object({
  page: zPage.describe("A page of the log, newest first (25 a page)"),
  after: zQuery(zInt.pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER))).describe(
    "Instead of `page`: the deliveries after this delivery id, oldest first (`meta.next_after` of the previous " +
      "page; 0 starts at the oldest kept)",
  ),
});
export const DeliveryList = z
  .object({
    payload: z.array(Delivery),
    meta: z.object({
      current_page: z.number().int().describe("The page; 1 when reading `after` a cursor"),
      has_more: z.boolean(),
      next_after: z
        .number()
        .int()
        .optional()
        .describe("With `after`: the cursor of the next page (also when there is no more yet: poll with it)"),
    }),
  })
  .openapi("WebhookDeliveryList");
export const DeliveryPayload = z.object({ payload: Delivery }).openapi("WebhookDeliveryPayload");
