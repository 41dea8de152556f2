import { z } from "@hono/zod-openapi";
import { unix } from "../lib/time";
import { UnixTime } from "../lib/schemas";

export const FeedEvent = z
  .object({
    id: z.number().int().describe("The event id: increasing, the feed's cursor (`after`) and the socket's `since`"),
    event: z.string().describe("The event name, as in webhook subscriptions"),
    created_at: UnixTime,
    inbox_id: z.number().int().nullable().describe("The event's inbox; null for contact events"),
    conversation_id: z
      .number()
      .int()
      .nullable()
      .describe("The conversation's display id; null for events of no conversation, or one deleted since"),
    body: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        "The webhook body, byte for byte what webhooks were sent once one was; null when the event's subject was " +
          "deleted before anything was sent",
      ),
  })
  .openapi("Event");

/** One event of the change feed, as `services/event-feed.ts` reads it. */
export type FeedEventRow = {
  id: number;
  event: string;
  createdAt: number;
  inboxId: number | null;
  conversationId: number | null;
  body: Record<string, unknown> | null;
};

export const feedEvent = (e: FeedEventRow): z.infer<typeof FeedEvent> => ({
  id: e.id,
  event: e.event,
  created_at: unix(e.createdAt)!,
  inbox_id: e.inboxId,
  conversation_id: e.conversationId,
  body: e.body,
});
