import { drizzle } from "drizzle-orm/d1";
import { createMiddleware } from "hono/factory";
import * as schema from "../db/schema";
import type { AppEnv } from "../lib/context";
import { countingD1, type D1Stats } from "../lib/d1-counter";

/**
 * A Drizzle client per request over a counting D1 wrapper. With SERVER_TIMING=on the
 * response reports `Server-Timing: d1;desc="<N> round trips";dur=<ms>`.
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const stats: D1Stats = { roundTrips: 0, ms: 0 };
  c.set("d1", stats);
  c.set("db", drizzle(countingD1(c.env.DB, stats), { schema }));
  await next();
  if (c.env.SERVER_TIMING === "on") {
    c.res.headers.append("Server-Timing", `d1;desc="${stats.roundTrips} round trips";dur=${stats.ms.toFixed(1)}`);
  }
});
