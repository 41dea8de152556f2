import { drizzle } from "drizzle-orm/d1";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { countingD1, type D1Stats } from "../lib/d1-counter";
import { Outbox } from "../events/outbox";
import { publishCommitted } from "../events/publish";

/** Carries a D1 bookmark: sent back on every response, accepted from a client that wants to read its own writes. */
export const BOOKMARK_HEADER = "x-d1-bookmark";

/** D1's bookmarks are hex groups joined by dashes (`00000085-0000024c-00004c6d-8e61…`), about 60 characters. */
const BOOKMARK_PATTERN = /^[0-9a-f]+(?:-[0-9a-f]+)*$/i;
const MAX_BOOKMARK_LENGTH = 200;

/**
 * A client's bookmark, or undefined when absent or not shaped like one: D1 is never handed a string it would
 * refuse.
 */
function clientBookmark(value: string | undefined): D1SessionBookmark | undefined {
  if (value === undefined || value.length > MAX_BOOKMARK_LENGTH || !BOOKMARK_PATTERN.test(value)) return undefined;
  return value;
}

/**
 * Whether the request only reads, so a replica may answer it. The one GET that writes is the client
 * API's contact show with `identifier_hash` (it records a verified identity): it decides on the
 * primary's rows, like every POST, PUT, PATCH and DELETE.
 */
function readsOnly(c: Context<AppEnv>): boolean {
  const safe = c.req.method === "GET" || c.req.method === "HEAD";
  return safe && c.req.query("identifier_hash") === undefined;
}

/**
 * Where the request's D1 session starts. A read starts anywhere (a nearby replica) or, given the
 * client's bookmark, on a copy at least as recent as that bookmark. A write starts on the primary,
 * which is never behind any bookmark, so a client's bookmark is not needed there.
 */
function sessionStart(c: Context<AppEnv>): D1SessionConstraint | D1SessionBookmark {
  if (!readsOnly(c)) return "first-primary";
  return clientBookmark(c.req.header(BOOKMARK_HEADER)) ?? "first-unconstrained";
}

/**
 * A Drizzle client per request over one D1 session (read replication; see docs/deploy.md) behind a
 * counting wrapper, and the request's outbox, which sees every batch's results (whether the
 * account had open sockets). The response carries the session's bookmark in `x-d1-bookmark`.
 * With SERVER_TIMING=on it reports `Server-Timing: d1;desc="<N> round trips";dur=<ms>` and
 * `realtime;desc="<N> hub calls"` (the Durable Object calls made after the response).
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const stats: D1Stats = { roundTrips: 0, ms: 0 };
  c.set("d1", stats);
  const session = c.env.DB.withSession(sessionStart(c));
  let outbox: Outbox | undefined;
  const db = drizzle(countingD1(session, stats, (results) => outbox?.observe(results)));
  c.set("db", db);
  outbox = new Outbox(db, new URL(c.req.url).origin, true);
  c.set("outbox", outbox);
  await next();
  const hubCalls = c.env.SERVER_TIMING === "on" ? outbox.hubCalls : 0;
  if (outbox.pending > 0) {
    // The events are already in D1; enqueueing and publishing after the response keeps them off the hot path.
    const flushed = publishCommitted(c.env, outbox);
    try {
      c.executionCtx.waitUntil(flushed);
    } catch {
      await flushed;
    }
  }
  const bookmark = session.getBookmark();
  if (bookmark) c.res.headers.set(BOOKMARK_HEADER, bookmark);
  if (c.env.SERVER_TIMING === "on") {
    c.res.headers.append("Server-Timing", `d1;desc="${stats.roundTrips} round trips";dur=${stats.ms.toFixed(1)}`);
    c.res.headers.append("Server-Timing", `realtime;desc="${hubCalls} hub calls"`);
  }
});
