import { createRoute } from "@hono/zod-openapi";
import { json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { CursorExpiredEnvelope } from "../../lib/schemas";
import { errors } from "../responses";
import { withEvent, withFeedPage } from "./preload";
import * as s from "./events.schemas";

const base = "/api/v1/accounts/{account_id}/events";
const tags = ["Events"];
const who =
  "Administrators see every event of the account; other agents the events of the inboxes they are members of, " +
  "and contact events. Notifications (one agent's own) are not in the feed.";
const expired = (description: string) => ({
  content: { "application/json": { schema: CursorExpiredEnvelope } },
  description,
});

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The change feed: the account's events in order, after a cursor",
  description:
    "Every event the account's webhooks can receive, oldest first, with the same body a webhook gets: read it " +
    "after an outage to catch up (`after` is the last id you applied; `meta.next_after` the next cursor, and a " +
    `\`Link: rel="next"\` header while \`has_more\`). ${who} Events are kept for a retention period (30 days by ` +
    "default): a cursor whose next events were deleted answers 410 with `oldest_available_id`.",
  middleware: withFeedPage,
  request: { params: AccountParams, query: s.EventFeedQuery },
  responses: {
    200: json(s.EventFeed, "A page of events"),
    ...errors,
    410: expired("The events after `after` are no longer kept: resync, then read on from `oldest_available_id`"),
  },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "One event of the change feed",
  description: `${who} An event of another account, or one the caller does not see, answers 404.`,
  middleware: withEvent,
  request: { params: s.EventParams },
  responses: {
    200: json(s.EventPayload, "The event"),
    ...errors,
    410: expired("The event is older than what retention keeps"),
  },
});
