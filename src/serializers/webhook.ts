import type { WebhookRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import { unix } from "../lib/time";
import { UnixTime } from "../lib/schemas";

export type WebhookInbox = { id: number; name: string };

export const Webhook = z
  .object({
    id: z.number().int(),
    name: z.string().nullable(),
    url: z.string(),
    account_id: z.number().int(),
    subscriptions: z.array(z.string()),
    secret: z.string().describe("Signs deliveries (`whsec_…`); administrators only reach this route"),
    inbox: z
      .object({ id: z.number().int(), name: z.string() })
      .nullable()
      .describe("Only this inbox's events, when set"),
    webhook_disabled: z
      .boolean()
      .describe("Deliveries stopped after failing for days; PATCH `webhook_disabled: false` or a new url resumes them"),
    failing_since: UnixTime.nullable().describe("Start of the current run of failed deliveries"),
    created_at: UnixTime,
  })
  .openapi("Webhook");

/** Account webhook JSON (Chatwoot's fields, plus delivery health). */
export function webhook(w: WebhookRow, inbox: WebhookInbox | null): z.infer<typeof Webhook> {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    account_id: w.accountId,
    subscriptions: w.subscriptions,
    secret: w.secret,
    inbox: inbox ? { id: inbox.id, name: inbox.name } : null,
    webhook_disabled: w.disabled,
    failing_since: unix(w.failingSince),
    created_at: unix(w.createdAt)!,
  };
}
