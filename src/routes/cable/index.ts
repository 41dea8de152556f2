import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../openapi";
import { errors } from "../responses";
import { readToken } from "../../middleware/auth";
import { openCable } from "../../realtime/gateway";

const digits = z.string().regex(/^\d{1,15}$/, "must be a non-negative integer");

const CableQuery = z.object({
  pubsub_token: z
    .string()
    .max(255)
    .optional()
    .openapi({ description: "A contact_inbox's pubsub_token (end users), or a user's" }),
  api_access_token: z
    .string()
    .max(255)
    .optional()
    .openapi({ description: "An agent's access token (also accepted as a header)" }),
  account_id: digits
    .optional()
    .openapi({ description: "The account to listen to; needed when the agent belongs to several" }),
  user_id: digits
    .optional()
    .openapi({ description: "With a user's pubsub_token: that user's id, as Chatwoot's dashboard sends it" }),
  since: digits.optional().openapi({ description: "Replay the events after this event id first (at most 500)" }),
  last_event_id: digits.optional().openapi({ description: "Same as `since`" }),
});

const cable = createRoute({
  method: "get",
  path: "/cable",
  tags: ["Realtime"],
  summary: "Realtime events over a WebSocket (Chatwoot's ActionCable endpoint); see docs/realtime.md",
  description:
    "Upgrade with a token in the query for bare `{event, data, id}` frames, or without one and send ActionCable's " +
    "`subscribe` frame (`RoomChannel`, `pubsub_token` or `api_access_token`). Browser origins are limited by " +
    "PUBLIC_API_ALLOWED_ORIGINS.",
  security: [],
  request: { query: CableQuery },
  responses: {
    101: { description: "Switching Protocols: the socket is open" },
    401: { ...errors[401], description: "The token in the URL is invalid or may not subscribe" },
    403: { ...errors[403], description: "The browser origin is not allowed" },
    422: errors[422],
    426: { ...errors[422], description: "Not a WebSocket upgrade" },
  },
});

export const cableRouter = createRouter().openapi(cable, async (c) =>
  openCable(c.env, c.var.db, {
    upgrade: c.req.header("upgrade"),
    origin: c.req.header("origin"),
    protocols: c.req.header("sec-websocket-protocol"),
    token: readToken(c),
    query: c.req.valid("query"),
  }),
);
