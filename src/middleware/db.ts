import { drizzle } from "drizzle-orm/d1";
import { createMiddleware } from "hono/factory";
import * as schema from "../db/schema";
import type { AppEnv } from "../lib/context";
import { countingD1, type D1Stats } from "../lib/d1-counter";
import { hubPublisher } from "../realtime/publish";
import { faultRate, Outbox } from "../webhooks/outbox";

/**
 * A Drizzle client per request over a counting D1 wrapper, and the request's outbox. With SERVER_TIMING=on the
 * response reports `Server-Timing: d1;desc="<N> round trips";dur=<ms>`.
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const stats: D1Stats = { roundTrips: 0, ms: 0 };
  c.set("d1", stats);
  const db = drizzle(countingD1(c.env.DB, stats), { schema });
  c.set("db", db);
  const outbox = new Outbox(db, new URL(c.req.url).origin);
  c.set("outbox", outbox);
  await next();
  if (outbox.pending > 0) {
    // The events are already in D1; enqueueing and publishing after the response keeps them off the hot path.
    const flushed = outbox.flush(c.env.WEBHOOK_QUEUE, hubPublisher(c.env.CABLE), faultRate(c.env.FAULT_DROP_ENQUEUE_RATE));
    try {
      c.executionCtx.waitUntil(flushed);
    } catch {
      await flushed;
    }
  }
  if (c.env.SERVER_TIMING === "on") {
    c.res.headers.append("Server-Timing", `d1;desc="${stats.roundTrips} round trips";dur=${stats.ms.toFixed(1)}`);
  }
});
