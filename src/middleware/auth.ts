import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { BatchItem } from "drizzle-orm/batch";
import type { AppEnv } from "../lib/context";
import { sha256Hex, safeEqual } from "../lib/crypto";
import { forbidden, notFound, unauthorized } from "../lib/errors";
import { isAdmin, principalQuery, toPrincipal } from "../services/auth";

/** Every way Chatwoot clients present a token: both header spellings, Bearer, or the query. */
export function readToken(c: Context): string | null {
  const header = c.req.header("api_access_token") ?? c.req.header("api-access-token");
  if (header?.trim()) return header.trim();
  const bearer = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer?.trim()) return bearer.trim();
  const query = c.req.query("api_access_token");
  return query?.trim() ? query.trim() : null;
}

/** A path id, or 0 (matches nothing) when it is not a positive integer. */
export function pathId(c: Context, name: string): number {
  const raw = c.req.param(name);
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
}

/** Reads a route needs anyway, given the path params and the caller's token hash. */
type Preload = (c: Context<AppEnv>, tokenHash: string) => [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

/**
 * Authenticates the agent token. With `account`, the caller must belong to the account in
 * the path; any other account answers 404, exactly like a missing one. `preload` is a read
 * the route needs anyway; it runs in the same D1 batch as the token lookup, so it costs no
 * extra round trip.
 */
export function authenticate(opts: { account?: boolean; admin?: boolean; preload?: Preload } = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = readToken(c);
    if (!token) throw unauthorized();
    const db = c.var.db;
    const tokenHash = await sha256Hex(token);
    const auth = principalQuery(db, tokenHash, opts.account ? pathId(c, "account_id") : 0);
    let rows;
    if (opts.preload) {
      const [authRows, ...preloaded] = await db.batch([auth, ...opts.preload(c, tokenHash)]);
      rows = authRows;
      c.set("preload", preloaded);
    } else {
      rows = await auth;
    }
    const principal = toPrincipal(rows, token);
    if (!principal) throw unauthorized();
    if (opts.account) {
      if (!principal.membership || !principal.account) throw notFound("Account");
      if (principal.account.status === "suspended") throw unauthorized("Account is suspended");
      if (opts.admin && !isAdmin(principal)) throw forbidden();
    }
    c.set("principal", principal);
    // A repeated Idempotency-Key's answer, given only now that this caller is admitted again.
    const repeat = c.var.idempotentAnswer;
    if (repeat) return repeat;
    await next();
  });
}

/** The operator's Platform API token (`PLATFORM_API_TOKEN` secret), in any of the header forms. */
export const authenticatePlatform = createMiddleware<AppEnv>(async (c, next) => {
  const token = readToken(c);
  const expected = c.env.PLATFORM_API_TOKEN;
  if (!token || !expected || !safeEqual(token, expected)) throw unauthorized();
  await next();
});

