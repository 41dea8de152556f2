import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { AppError, errorBody } from "../lib/errors";
import { allowedOrigins } from "../lib/origins";

/** Seconds in the rate limiter's window (`period` of PUBLIC_RATE_LIMITER in wrangler.toml). */
const RATE_LIMIT_PERIOD_SECONDS = 10;

/**
 * CORS for web chats calling the client API from the browser: the allowed origins come from
 * `PUBLIC_API_ALLOWED_ORIGINS`; the headers a client reads (Retry-After, Idempotent-Replayed,
 * X-Total-Count, Link, X-D1-Bookmark) are exposed, and a page may send its last bookmark back
 * (`X-D1-Bookmark`) to read its own writes from a replica.
 */
export const publicCors = cors({
  origin: (origin, c) => {
    const allowed = allowedOrigins(c.env.PUBLIC_API_ALLOWED_ORIGINS);
    if (allowed === "*") return "*";
    return allowed.includes(origin.toLowerCase()) ? origin : null;
  },
  allowMethods: ["GET", "POST", "PATCH", "PUT", "OPTIONS"],
  allowHeaders: ["Content-Type", "Idempotency-Key", "X-Requested-With", "X-D1-Bookmark"],
  exposeHeaders: ["Retry-After", "Idempotent-Replayed", "X-Total-Count", "Link", "X-Request-Id", "X-D1-Bookmark"],
  maxAge: 86_400,
});

/**
 * A per-`inbox_identifier` + client IP budget (Workers rate limiting binding): one noisy client
 * cannot drown an inbox, and clients behind other addresses are unaffected. Over budget → 429
 * with `Retry-After`. Counts are per Cloudflare location and approximate, as the binding's are.
 */
export const publicRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.PUBLIC_RATE_LIMITER;
  if (!limiter || c.req.method === "OPTIONS") return next();
  const identifier = c.req.path.split("/")[5] ?? "";
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  const { success } = await limiter.limit({ key: `${identifier}|${ip}` });
  if (!success) {
    const err = new AppError(
      429,
      "RATE_LIMITED",
      "Too many requests for this inbox from your address; retry after the time in Retry-After",
    );
    return c.json(errorBody(err), 429, { "Retry-After": String(RATE_LIMIT_PERIOD_SECONDS) });
  }
  await next();
});
