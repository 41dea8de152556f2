import { cors } from "hono/cors";
import { allowedOrigins } from "../lib/origins";
import { RATE_LIMIT_HEADER_NAMES } from "../lib/rate-limits";

/**
 * CORS for web chats calling the client API from the browser: the allowed origins come from
 * `PUBLIC_API_ALLOWED_ORIGINS`; the headers a client reads (Retry-After, RateLimit-*,
 * Idempotent-Replayed, X-Total-Count, Link, X-D1-Bookmark) are exposed, and a page may send its
 * last bookmark back (`X-D1-Bookmark`) to read its own writes from a replica.
 */
export const publicCors = cors({
  origin: (origin, c) => {
    const allowed = allowedOrigins(c.env.PUBLIC_API_ALLOWED_ORIGINS);
    if (allowed === "*") return "*";
    return allowed.includes(origin.toLowerCase()) ? origin : null;
  },
  allowMethods: ["GET", "POST", "PATCH", "PUT", "OPTIONS"],
  allowHeaders: ["Content-Type", "Idempotency-Key", "X-Requested-With", "X-D1-Bookmark"],
  exposeHeaders: [
    "Retry-After",
    ...RATE_LIMIT_HEADER_NAMES,
    "Idempotent-Replayed",
    "X-Total-Count",
    "Link",
    "X-Request-Id",
    "X-D1-Bookmark",
  ],
  maxAge: 86_400,
});
