import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { attachments, objectDeletions } from "../db/schema";
import { inList } from "../db/select";
import type { DB } from "../db/client";
import { pruneUploads } from "./uploads";

type StorageEnv = Pick<Env, "ATTACHMENTS">;

/** R2 deletes at most 1000 keys a call. */
const R2_DELETE_MAX = 1000;

/**
 * Deletes the R2 objects `object_deletions` lists (queued by the triggers when an attachment or an
 * unused upload goes, cascades included), up to `limit`, oldest first, in chunks R2 takes in one
 * call; each chunk's rows go once its objects are gone, so a failure leaves them for the next
 * run. An object a row holds again is kept (only its queue row goes). Returns how many rows went.
 * Works on the one database it is given.
 */
export async function drainObjectDeletions(env: StorageEnv, db: DB, limit = R2_DELETE_MAX): Promise<number> {
  let drained = 0;
  while (drained < limit) {
    const chunk = Math.min(R2_DELETE_MAX, limit - drained);
    const rows = await db
      .select({
        id: objectDeletions.id,
        objectKey: objectDeletions.objectKey,
        // Spelled out: drizzle writes a column of the selected table unqualified, which inside
        // these subqueries would name their own table's column.
        held: sql<number>`exists (select 1 from attachments a where a.object_key = object_deletions.object_key)
          or exists (select 1 from uploads u where u.object_key = object_deletions.object_key)`,
      })
      .from(objectDeletions)
      .orderBy(asc(objectDeletions.id))
      .limit(chunk);
    if (rows.length === 0) break;
    const keys = [...new Set(rows.filter((r) => !r.held).map((r) => r.objectKey))];
    if (keys.length) await env.ATTACHMENTS.delete(keys);
    await db.delete(objectDeletions).where(
      inList(
        objectDeletions.id,
        rows.map((r) => r.id),
      ),
    );
    drained += rows.length;
    if (rows.length < chunk) break;
  }
  return drained;
}

/**
 * The R2 key a legacy attachment's bytes move to: derived from its own key, so a repeated move
 * writes the same object.
 */
export const migratedObjectKey = (accountId: number, key: string) => `a/${accountId}/m/${key}`;

/** Rows read at a time: each holds up to 1.5 MB of bytes in D1, and a Worker has 128 MB. */
const MIGRATION_CHUNK = 8;

/**
 * Moves up to `limit` attachments whose bytes are still in D1 (`object_key` null) to R2: the
 * object is put under a key derived from the attachment's, then the row is pointed at it and its
 * `data` emptied, only if it still has none (`object_key is null`). Resumable: each run picks up
 * the rows still in D1, and a run that stopped between the put and the update puts the same key
 * again. A row deleted meanwhile has its new object deleted. Downloads work throughout: a row is
 * served from D1 until its update, from R2 after. Returns how many rows moved. For one database.
 */
export async function migrateAttachmentsToR2(env: StorageEnv, db: DB, limit = 64): Promise<number> {
  let moved = 0;
  let afterId = 0;
  while (moved < limit) {
    const rows = await db
      .select({
        id: attachments.id,
        accountId: attachments.accountId,
        key: attachments.key,
        contentType: attachments.contentType,
        data: attachments.data,
      })
      .from(attachments)
      .where(and(isNull(attachments.objectKey), sql`${attachments.id} > ${afterId}`))
      .orderBy(asc(attachments.id))
      .limit(Math.min(MIGRATION_CHUNK, limit - moved));
    if (rows.length === 0) break;
    afterId = rows[rows.length - 1].id;
    const keyOf = new Map(rows.map((r) => [r.id, migratedObjectKey(r.accountId, r.key)]));
    await Promise.all(
      rows.map((r) => env.ATTACHMENTS.put(keyOf.get(r.id)!, r.data, { httpMetadata: { contentType: r.contentType } })),
    );
    const updates = rows.map((r) =>
      db
        .update(attachments)
        .set({ objectKey: keyOf.get(r.id)!, data: new Uint8Array(0) })
        .where(and(eq(attachments.id, r.id), isNull(attachments.objectKey)))
        .returning({ id: attachments.id }),
    );
    const results = (await db.batch(updates as [(typeof updates)[0], ...typeof updates])) as { id: number }[][];
    const updated = new Set(results.flat().map((r) => r.id));
    moved += updated.size;
    const skipped = rows.filter((r) => !updated.has(r.id));
    if (skipped.length)
      await dropOrphans(
        env,
        db,
        skipped.map((r) => r.id),
        keyOf,
      );
  }
  return moved;
}

/** Objects put for rows the update then missed: deleted if their row is gone (a moved row keeps its object). */
async function dropOrphans(env: StorageEnv, db: DB, ids: number[], keyOf: Map<number, string>) {
  const still = await db.select({ id: attachments.id }).from(attachments).where(inList(attachments.id, ids));
  const present = new Set(still.map((r) => r.id));
  const gone = ids.filter((id) => !present.has(id)).map((id) => keyOf.get(id)!);
  if (gone.length) await env.ATTACHMENTS.delete(gone);
}

/**
 * The cron's share of attachment storage, for one database: expired uploads are removed (their
 * objects queued), queued objects deleted, then a chunk of legacy rows moved from D1 to R2.
 */
export async function attachmentUpkeep(env: StorageEnv, db: DB, now = Date.now()) {
  const expired = await pruneUploads(db, now);
  const deleted = await drainObjectDeletions(env, db);
  const migrated = await migrateAttachmentsToR2(env, db);
  return { expired, deleted, migrated };
}
