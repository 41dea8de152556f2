import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { readToken } from "./auth";
import { sha256Hex } from "../lib/crypto";
import { errorBody, tooManyRequests } from "../lib/errors";
import {
  RATE_LIMIT_PERIODS,
  RATE_LIMITS,
  type RateLimitKind,
  rateLimitHeaders,
  readPolicy,
  WindowCounter,
} from "../lib/rate-limits";
import { SESSION_COOKIE } from "../services/sessions";

/** Whose budget a request spends: the limiter, what identifies the caller (hashed into the key), and its name. */
type Caller = { kind: RateLimitKind; identity: string; who: string };

const clientAddress = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? "unknown";

/**
 * The credential `authenticate` will read, in its order (an API token in any form wins over the
 * session cookie), so a console request on its cookie spends the session's budget and an
 * integrator's the token's. A bot's token is a token like any other. Without a credential the
 * client address pays (those requests end in 401, or are a sign-in with its own limits too).
 */
function credentialCaller(c: Context<AppEnv>, anonymous: RateLimitKind): Caller {
  const token = readToken(c);
  if (token) return { kind: "api", identity: `token:${token}`, who: "with this access token" };
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) return { kind: "console", identity: `session:${cookie}`, who: "in this session" };
  return { kind: anonymous, identity: `address:${clientAddress(c)}`, who: "from your address" };
}

/**
 * The budget a path spends, or null for what is never limited: the health check (`GET /api`),
 * `/cable` (one upgrade per socket), signed attachment links, the OpenAPI document, Swagger UI and
 * the console's static files.
 */
function callerOf(c: Context<AppEnv>): Caller | null {
  const path = c.req.path;
  if (path.startsWith("/public/api/v1/inboxes/")) {
    const identifier = path.split("/")[5] ?? "";
    return {
      kind: "public",
      identity: `inbox:${identifier}|${clientAddress(c)}`,
      who: "for this inbox from your address",
    };
  }
  if (path.startsWith("/platform/")) {
    const token = readToken(c);
    return token
      ? { kind: "platform", identity: `token:${token}`, who: "with this platform token" }
      : { kind: "platform", identity: `address:${clientAddress(c)}`, who: "from your address" };
  }
  if (path === "/api/v1" || path.startsWith("/api/v1/")) return credentialCaller(c, "api");
  if (path.startsWith("/auth/")) return credentialCaller(c, "console");
  return null;
}

/**
 * Per isolate, deliberately: the Remaining estimate of each key (see `WindowCounter`). It holds
 * hashes and counts only, never a request's data.
 */
const windows = new WindowCounter(10_000);

/**
 * Each caller's budget (Workers rate limiting bindings), checked before any D1 work: over budget
 * is a 429 with `Retry-After` that reads and writes nothing. Every answer of a limited API carries
 * RateLimit-Limit, -Remaining, -Reset and -Policy. Keys are SHA-256 digests, so no token reaches
 * the limiter and every key has the same size. Counts are per Cloudflare location and approximate,
 * as the binding's are. Preflights never count.
 */
export const rateLimits = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const caller = callerOf(c);
  if (!caller) return next();
  const { binding } = RATE_LIMITS[caller.kind];
  const limiter = c.env[binding] as RateLimit | undefined;
  if (!limiter) return next();
  const key = await sha256Hex(caller.identity);
  const { success } = await limiter.limit({ key });
  // Without readable vars the binding still decides; only the headers, which need its numbers, are left out.
  const policy = readPolicy(c.env, caller.kind);
  // The count is one budget's: the same caller under another limiter, or another limit, starts its own.
  const budget = policy ? windows.hit(`${binding}:${policy.limit}/${policy.period}:${key}`, policy, success) : null;
  const headers = policy && budget ? rateLimitHeaders(policy, budget) : {};
  if (!success) {
    const retryAfter = budget?.reset ?? Math.max(...RATE_LIMIT_PERIODS);
    const err = tooManyRequests(`Too many requests ${caller.who}; retry after the time in Retry-After`, retryAfter);
    return c.json(errorBody(err), 429, { ...headers, ...err.headers });
  }
  await next();
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
});
