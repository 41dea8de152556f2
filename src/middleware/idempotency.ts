import { and, eq, isNull, lt, or } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import { idempotencyKeys } from "../db/schema";
import { MAX_FILE_BODY_BYTES, MAX_JSON_BYTES, mediaType, readLimited, readsAsFields } from "../lib/body";
import type { AppEnv } from "./context";
import { sha256Hex, toHex, uuid } from "../lib/crypto";
import { AppError, errorBody } from "../lib/errors";
import { readToken } from "./auth";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long an unfinished claim blocks repeats; past it the first request is presumed dead. */
const LOCK_MS = 60 * 1000;
/** D1 caps a row near 2 MB; a larger response is not stored (a repeat runs again). */
const MAX_STORED_BODY = 1_000_000;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** Statuses a repeat must not see replayed: server failures, and refusals that may change on retry. */
const notStored = (status: number) => status >= 500 || status === 401 || status === 429;

async function fingerprint(contentType: string, body: ArrayBuffer): Promise<string> {
  const head = new TextEncoder().encode(`${contentType}\n`);
  const bytes = new Uint8Array(head.byteLength + body.byteLength);
  bytes.set(head);
  bytes.set(new Uint8Array(body), head.byteLength);
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/** The claim's unique key: the caller's token hash, the route and the client's key, hashed together. */
export async function idempotencyScope(token: string, method: string, path: string, key: string): Promise<string> {
  return sha256Hex(`${await sha256Hex(token)}\n${method} ${path}\n${key}`);
}

function refuse(c: Context<AppEnv>, err: AppError, headers?: Record<string, string>) {
  return c.json(errorBody(err), err.status, headers);
}

/**
 * Stripe-style `Idempotency-Key` for POSTs: the first request claims the key (one D1 batch that
 * also drops an expired or abandoned claim), runs, and stores its response for 24 h; a repeat with
 * the same key, caller (token hash), method and path replays it with `Idempotent-Replayed: true`.
 * Keys are scoped by the token's hash, so one caller can never replay another's response. Without
 * the header, or without a token (auth rejects it), the request passes through untouched. A repeat's
 * answer is handed to `authenticate()`, which gives it only if the caller is still admitted: a
 * replaced token, a removed member or a demoted administrator is refused as on a first request.
 */
export const idempotency = idempotent(readToken, { afterAuth: true });

/**
 * The client API has no token: its callers are named by the path (inbox identifier, source_id),
 * which the claim's scope already includes.
 */
export const publicIdempotency = idempotent(() => "public client API", { afterAuth: false });

/** The answer to a repeat of a claimed key: 422 for another body, 409 while it runs, else the stored response. */
function repeatAnswer(c: Context<AppEnv>, row: typeof idempotencyKeys.$inferSelect, requestHash: string): Response {
  if (row.requestHash !== requestHash) {
    return refuse(
      c,
      new AppError(
        422,
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was already used with a different request body",
      ),
    );
  }
  if (row.status === null) {
    return refuse(
      c,
      new AppError(
        409,
        "IDEMPOTENCY_KEY_IN_USE",
        "A request with this Idempotency-Key is still in progress; retry shortly",
      ),
      { "Retry-After": "1" },
    );
  }
  const headers = new Headers({ "Idempotent-Replayed": "true" });
  if (row.contentType) headers.set("content-type", row.contentType);
  const empty = row.status === 204 || row.status === 304;
  return new Response(empty ? null : row.body, { status: row.status, headers });
}

function idempotent(callerOf: (c: Context<AppEnv>) => string | null, { afterAuth }: { afterAuth: boolean }) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      return refuse(
        c,
        new AppError(400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 1 to 255 printable ASCII characters"),
      );
    }
    const token = callerOf(c);
    if (!token) return next();
    // A raw file upload (the file's own Content-Type, or a body named as a file) streams to
    // storage unread: it is not buffered here to be hashed, and a repeat makes another upload,
    // which expires unused.
    const type = mediaType(c);
    const namedFile = c.req.query("filename") !== undefined || c.req.header("content-disposition") !== undefined;
    if (!readsAsFields(type) || namedFile) return next();

    // The largest body of its type any route takes, declared or not (a chunked upload has no
    // content-length): files come only in multipart. Hono caches the bytes, so the handler's own
    // body parsing (JSON or multipart) reads them again.
    const body = await readLimited(c, type === "multipart/form-data" ? MAX_FILE_BODY_BYTES : MAX_JSON_BYTES);
    const requestHash = await fingerprint(c.req.header("content-type") ?? "", body);
    const path = c.req.path.length > 1 ? c.req.path.replace(/\/+$/, "") : c.req.path;
    const scope = await idempotencyScope(token, c.req.method, path, key);

    const db = c.var.db;
    const now = Date.now();
    const owner = uuid();
    const [, , rows] = await db.batch([
      db
        .delete(idempotencyKeys)
        .where(
          and(
            eq(idempotencyKeys.scope, scope),
            or(
              lt(idempotencyKeys.expiresAt, now),
              and(isNull(idempotencyKeys.status), lt(idempotencyKeys.lockedUntil, now)),
            ),
          ),
        ),
      db
        .insert(idempotencyKeys)
        .values({ scope, requestHash, owner, lockedUntil: now + LOCK_MS, expiresAt: now + IDEMPOTENCY_TTL_MS })
        .onConflictDoNothing({ target: idempotencyKeys.scope }),
      db.select().from(idempotencyKeys).where(eq(idempotencyKeys.scope, scope)).limit(1),
    ]);
    const row = rows[0];
    if (row && row.owner !== owner) {
      const answer = repeatAnswer(c, row, requestHash);
      if (!afterAuth) return answer;
      c.set("idempotentAnswer", answer);
      return next();
    }

    const mine = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.owner, owner));
    let stored = false;
    try {
      await next();
      const status = c.res.status;
      if (!notStored(status)) {
        const text = await c.res.clone().text();
        if (text.length <= MAX_STORED_BODY) {
          await db
            .update(idempotencyKeys)
            .set({ status, body: text, contentType: c.res.headers.get("content-type") })
            .where(mine);
          stored = true;
        }
      }
    } finally {
      // Released, a retry runs the request again: the right outcome after a failure.
      if (!stored) {
        await db
          .delete(idempotencyKeys)
          .where(mine)
          .catch((err) =>
            console.error(
              JSON.stringify({ request_id: c.var.requestId, error: `idempotency release: ${String(err)}` }),
            ),
          );
      }
    }
  });
}
