import type { DeliveryRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import { DELIVERY_STATUSES } from "../db/schema";
import { unix } from "../lib/time";
import { UnixTime } from "../lib/schemas";

export const Delivery = z
  .object({
    id: z.number().int(),
    webhook_id: z.string().describe("The `webhook-id` / `X-Chatwoot-Delivery` header, the same on every attempt"),
    event: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_latency_ms: z.number().int().nullable(),
    response_snippet: z.string().nullable().describe("The start of the last response body"),
    last_error: z.string().nullable(),
    next_attempt_at: UnixTime.nullable(),
    delivered_at: UnixTime.nullable(),
    created_at: UnixTime,
  })
  .openapi("WebhookDelivery");

/** One event's delivery to one target, as the delivery log shows it. */
export function delivery(d: DeliveryRow, event: string): z.infer<typeof Delivery> {
  return {
    id: d.id,
    webhook_id: d.uid,
    event,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_latency_ms: d.lastLatencyMs,
    response_snippet: d.lastResponse,
    last_error: d.lastError,
    next_attempt_at: unix(d.nextAttemptAt),
    delivered_at: unix(d.deliveredAt),
    created_at: unix(d.createdAt)!,
  };
}
