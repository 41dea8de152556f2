import type { DrizzleD1Database } from "drizzle-orm/d1";

/**
 * The Drizzle client every query is built on: one per request (over its D1 session) or per queue
 * batch. Built without the schema: queries name their tables, and the relational query API (which
 * would rebuild the schema's relations for every client) is not used.
 */
export type DB = DrizzleD1Database;
