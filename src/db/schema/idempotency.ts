import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * One `Idempotency-Key` of one caller on one route. The row is the claim: it is inserted before
 * the handler runs (the unique `scope` lets exactly one concurrent request win) and completed with
 * the response, which repeats replay until `expires_at`.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** SHA-256 of the caller's token hash, method, path and key: never the token or key itself. */
    scope: text("scope").notNull(),
    /** SHA-256 of the content type and raw body bytes; a repeat with another body is refused. */
    requestHash: text("request_hash").notNull(),
    /** Random id of the request holding the claim, so only it completes or releases the row. */
    owner: text("owner").notNull(),
    /** Null while the first request is in flight. */
    status: integer("status"),
    contentType: text("content_type"),
    body: text("body"),
    /** An in-flight claim older than this was abandoned (the worker died) and may be taken over. */
    lockedUntil: integer("locked_until").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [uniqueIndex("idempotency_keys_scope_uq").on(t.scope), index("idempotency_keys_expires_idx").on(t.expiresAt)],
);
