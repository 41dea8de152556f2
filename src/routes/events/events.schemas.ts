import { z } from "@hono/zod-openapi";
import { EVENT_NAMES } from "../../events/registry";
import { accountChild } from "../../lib/params";
import { zId, zInt, zNames, zQuery } from "../../lib/zod";
import { FeedEvent } from "../../serializers/event";

/** Events a feed page holds by default, and at most. */
export const FEED_LIMIT = { default: 50, max: 200 } as const;

export const EventParams = accountChild("id", "Event id");

const types = zQuery(zNames(EVENT_NAMES, { nonEmpty: false, what: "event" }));

export const EventFeedQuery = z.object({
  after: zQuery(zInt.pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER))).describe(
    "Only events after this id: the previous page's `meta.next_after`; 0 or absent starts at the oldest event kept",
  ),
  limit: zQuery(zInt.pipe(z.number().int().min(1).max(FEED_LIMIT.max))).describe(
    `Events per page, 1 to ${FEED_LIMIT.max} (default ${FEED_LIMIT.default})`,
  ),
  types: types.describe("Only these events (`types=a&types=b` or `types=a,b`); names as webhook subscriptions take"),
  "types[]": types.describe("The same filter as Rails clients send it (`types[]=a&types[]=b`)"),
  inbox_id: zQuery(zId).describe("Only this inbox's events (contact events have no inbox)"),
});
export type EventFeedInput = z.output<typeof EventFeedQuery>;

export const EventFeed = z
  .object({
    payload: z.array(FeedEvent),
    meta: z.object({
      has_more: z.boolean().describe("More events follow now: fetch again with `after=next_after` at once"),
      next_after: z
        .number()
        .int()
        .describe("The `after` of the next request, also when there is no more yet (poll with it later)"),
    }),
  })
  .openapi("EventFeed");
export const EventPayload = z.object({ payload: FeedEvent }).openapi("EventPayload");
