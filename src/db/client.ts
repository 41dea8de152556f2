import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "./schema";

/** The Drizzle client every query is built on: one per request (over its D1 session) or per queue batch. */
export type DB = DrizzleD1Database<typeof schema>;
