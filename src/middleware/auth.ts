import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AppEnv } from "./context";
import type { DB } from "../db/client";
import type { z } from "@hono/zod-openapi";
import { peekBody } from "../lib/body";
import { sha256Hex, safeEqual } from "../lib/crypto";
import { forbidden, notFound, unauthorized } from "../lib/errors";
import {
  botPrincipalQuery,
  credentialUserId,
  isAdmin,
  isBotToken,
  type Principal,
  principalQuery,
  toBotPrincipal,
  toPrincipal,
  type Credential,
} from "../services/auth";
import type { AgentContext } from "../services/context";
import { csrfTokenFor, SESSION_COOKIE, sessionNeedsTouch, touchSession } from "../services/sessions";

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

/**
 * What a route loads with the token check, in the same D1 batch (no extra round trip): `queries`
 * builds the reads from the path and the caller's user id (a subquery); `apply` runs once the
 * caller is admitted to the account, turns the rows into the values `V` the handler reads on
 * `c.var` (typed there) and answers 404 for what the caller may not see, so no handler has to.
 */
export type Load<V extends object> = {
  /** The reads; none (an empty list) when there is nothing to read, as for a body that will be refused. */
  queries: (c: Context<AppEnv>, callerId: SQL) => BatchItem<"sqlite">[] | Promise<BatchItem<"sqlite">[]>;
  /**
   * The route's write itself, in the same batch, so the whole request is one round trip. Its first
   * statement must fail unless the caller may make it (D1 rolls the batch back): a refused or
   * failed write is then made again without it, and the route answers as it would have. Never
   * for a repeated Idempotency-Key.
   */
  writes?: (c: Context<AppEnv>, callerId: SQL) => BatchItem<"sqlite">[] | Promise<BatchItem<"sqlite">[]>;
  /** `written`: the write's results, when it committed with the token check. */
  apply: (rows: unknown[], principal: Principal, written?: unknown[]) => V;
};

/**
 * A load of what a create reads before it writes, built from the route's body (`peekBody`: the
 * router's validation reuses the parse) so the reads join the token check's batch. A body that
 * will be refused reads nothing: its error is answered after authentication. The rows land on
 * `c.var.creationReads` for the service.
 */
export function creationReads<T extends z.ZodType>(
  schema: T,
  wrap: string,
  reads: (c: Context<AppEnv>, callerId: SQL, input: z.output<T>) => readonly BatchItem<"sqlite">[],
): Load<{ creationReads: unknown[] | undefined }> {
  return {
    queries: async (c, callerId) => {
      const input = await peekBody(c, schema, wrap);
      return input ? [...reads(c, callerId, input)] : [];
    },
    apply: (rows) => ({ creationReads: rows.length > 0 ? rows : undefined }),
  };
}

/** What an account route's handler finds on `c.var`: the service context, and what its route loaded. */
export type AccountEnv<V extends object = object> = AppEnv & { Variables: V & { ctx: AgentContext } };

/**
 * One round trip for a route's reads and, when it has one, its write (`Load.writes`): the write's
 * first statement fails unless the caller may make it, and D1 then rolls the whole batch back, so
 * the reads run again alone and the route answers as it would have. The request's outbox is
 * observed, so a rolled-back write's events are never published. `written`: the write's rows,
 * when it committed.
 */
export async function readsWithWrite(
  db: DB,
  reads: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
  writes: BatchItem<"sqlite">[],
): Promise<{ rows: unknown[]; written?: unknown[] }> {
  if (writes.length > 0) {
    try {
      const results: unknown[] = await db.batch([...reads, ...writes]);
      return { rows: results.slice(0, reads.length), written: results.slice(reads.length) };
    } catch {
      // Refused (or failed, as a repeated echo_id): nothing was written.
    }
  }
  return { rows: await db.batch(reads) };
}

/** Sets each loaded value on `c.var` under its name. */
export function setAll(c: Context<AppEnv>, values: object) {
  for (const [name, value] of Object.entries(values)) c.set(name as never, value as never);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The caller's credential: an API token in any of Chatwoot's forms wins; otherwise the console's
 * session cookie. A cookie arrives with every request the browser makes to this origin, from
 * any page, so a write on it must come from this origin and carry the session's CSRF token.
 */
async function readCredential(c: Context<AppEnv>): Promise<{ credential: Credential; secret: string } | null> {
  const token = readToken(c);
  if (token) return { credential: { kind: "token", hash: await sha256Hex(token) }, secret: token };
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) return null;
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header("origin");
    if (origin && origin !== new URL(c.req.url).origin) throw forbidden("Cross-origin request refused");
    const sent = c.req.header("x-csrf-token") ?? "";
    if (!safeEqual(sent, await csrfTokenFor(cookie))) throw forbidden("Missing or invalid X-CSRF-Token");
  }
  return { credential: { kind: "cookie", hash: await sha256Hex(cookie) }, secret: cookie };
}

type AuthOptions<V extends object> = {
  account?: boolean;
  admin?: boolean;
  load?: Load<V>;
  /**
   * An agent bot's token is accepted too (Chatwoot's BOT_ACCESSIBLE_ENDPOINTS); elsewhere a bot's
   * token answers 401 `BOTS_REFUSED`. A bot sees only conversations of inboxes it is attached to.
   */
  bots?: boolean;
};

export const BOTS_REFUSED = "Access to this endpoint is not authorized for bots";

/**
 * Authenticates the agent token. With `account`, the caller must belong to the account in
 * the path; any other account answers 404, exactly like a missing one, and the handler gets the
 * request's `AgentContext` as `c.var.ctx`. `load` is what the route reads anyway (see `Load`),
 * in the same D1 batch as the token lookup.
 */
export function authenticate<V extends object = object>(
  opts: AuthOptions<V> & { account: true },
): MiddlewareHandler<AccountEnv<V>>;
export function authenticate(opts?: { account?: false }): MiddlewareHandler<AppEnv>;
export function authenticate<V extends object>(opts: AuthOptions<V> = {}): MiddlewareHandler {
  return createMiddleware<AppEnv>(async (c, next) => {
    const presented = await readCredential(c);
    if (!presented) throw unauthorized();
    const { credential, secret } = presented;
    if (credential.kind === "token" && isBotToken(secret)) return authenticateBot(c, next, opts, credential, secret);
    const db = c.var.db;
    const auth = principalQuery(db, credential, opts.account ? pathId(c, "account_id") : 0);
    const callerId = credentialUserId(credential);
    const extra = opts.load ? await opts.load.queries(c, callerId) : [];
    const writes = opts.load?.writes && !c.var.idempotentAnswer ? await opts.load.writes(c, callerId) : [];
    const {
      rows: [rows, ...loaded],
      written,
    } = await readsWithWrite(db, [auth, ...extra], writes);
    const principal = toPrincipal(rows as Awaited<typeof auth>, secret, credential);
    if (!principal) throw unauthorized();
    if (sessionNeedsTouch(principal)) c.executionCtx.waitUntil(touchSession(db, credential.hash));
    if (opts.account) {
      if (!principal.membership || !principal.account) throw notFound("Account");
      if (principal.account.status === "suspended") throw unauthorized("Account is suspended");
      if (opts.admin && !isAdmin(principal)) throw forbidden();
    }
    return admitted(c, next, opts, principal, loaded, written);
  });
}

/** The caller is who they say: the principal is set, and an account route gets its context and preloads. */
async function admitted<V extends object>(
  c: Context<AppEnv>,
  next: () => Promise<void>,
  opts: AuthOptions<V>,
  principal: Principal,
  loaded: unknown[],
  written?: unknown[],
) {
  c.set("principal", principal);
  // A repeated Idempotency-Key's answer, given only now that this caller is admitted again.
  const repeat = c.var.idempotentAnswer;
  if (repeat) return repeat;
  if (opts.account) {
    const ctx: AgentContext = {
      db: c.var.db,
      accountId: principal.account!.id,
      actor: principal,
      outbox: c.var.outbox,
      origin: new URL(c.req.url).origin,
    };
    setAll(c, { ctx, ...opts.load?.apply(loaded, principal, written) });
  }
  await next();
}

/**
 * An agent bot's token (`bot_…`): one round trip for the bot, the account it may act in and the
 * route's preload (read as nobody's user: a bot is no member of any inbox, its own inboxes are
 * checked by the preload's `apply`). The route's one-round-trip write is left out; the handler
 * writes. A route that does not take bots refuses a valid bot token (401, as Chatwoot).
 */
async function authenticateBot<V extends object>(
  c: Context<AppEnv>,
  next: () => Promise<void>,
  opts: AuthOptions<V>,
  credential: Credential,
  secret: string,
) {
  const db = c.var.db;
  const auth = botPrincipalQuery(db, credential.hash, opts.account ? pathId(c, "account_id") : 0);
  const extra = opts.bots && opts.load ? await opts.load.queries(c, sql`null`) : [];
  const [rows, ...loaded] = await db.batch([auth, ...extra]);
  const principal = toBotPrincipal(rows as Awaited<typeof auth>, secret, credential);
  if (!principal) throw unauthorized();
  if (!opts.bots || !opts.account || opts.admin) throw unauthorized(BOTS_REFUSED);
  if (!principal.membership || !principal.account) throw notFound("Account");
  if (principal.account.status === "suspended") throw unauthorized("Account is suspended");
  return admitted(c, next, opts, principal, loaded);
}

/** The operator's Platform API token (`PLATFORM_API_TOKEN` secret), in any of the header forms. */
export const authenticatePlatform = createMiddleware<AppEnv>(async (c, next) => {
  const token = readToken(c);
  const expected = c.env.PLATFORM_API_TOKEN;
  if (!token || !expected || !safeEqual(token, expected)) throw unauthorized();
  await next();
});
