import { and, asc, eq, gt, isNull, lte, sql } from "drizzle-orm";
import { objectDeletions, uploads } from "../db/schema";
import { inList } from "../db/select";
import { secureToken } from "../lib/crypto";
import { MAX_FILE_BYTES } from "../lib/body";
import { AppError, badRequest, unprocessable } from "../lib/errors";
import type { DB } from "../db/client";

/** How long an upload waits for a message to take it. */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

export type UploadRow = typeof uploads.$inferSelect;

/**
 * Whose uploads a caller may make and reference: an agent's (or bot's) are the account's
 * (`contactId` null); a contact's, on the client API, its own in that inbox.
 */
export type UploadScope = { accountId: number; inboxId: number | null; contactId: number | null };

/** A new object's key: the account's prefix and a random name (never reused). */
export const newObjectKey = (accountId: number) => `a/${accountId}/${secureToken(32)}`;

/** A blob id: `up_` and a random name, so a download link tells an upload's key from an attachment's. */
export const UPLOAD_KEY_PREFIX = "up_";

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}$/;

/**
 * A content type fit to be stored and served back as a header: `type/subtype` (lower-cased) with
 * its parameters when they are plain text; anything else is application/octet-stream.
 */
export function safeContentType(raw: string | null | undefined): string {
  const value = (raw ?? "").trim();
  const essence = value.split(";")[0].trim().toLowerCase();
  if (!MEDIA_TYPE.test(essence)) return "application/octet-stream";
  const params = value.slice(value.split(";")[0].length);
  return /^[\x20-\x7e]{0,120}$/.test(params) ? `${essence}${params}` : essence;
}

/** Refuses a file past the limit (413, before anything is stored); `field` names it. */
export function checkFileSize(size: number, name: string, field: string) {
  if (size <= MAX_FILE_BYTES) return;
  throw new AppError(413, "PAYLOAD_TOO_LARGE", `${name} is too large (maximum is ${MAX_FILE_BYTES} bytes, 40 MB)`, [
    { field, message: "is too large" },
  ]);
}

export type NewUpload = {
  /** The bytes: a stream of exactly `size` bytes, or a file or buffer. */
  body: ReadableStream | Blob | ArrayBuffer;
  size: number;
  name: string;
  contentType: string;
};

/**
 * Stores a file ahead of its message: the object first, then its `uploads` row (expiring in a
 * day). If the row cannot be written the object is deleted again, so nothing is left behind.
 */
export async function createUpload(
  bucket: R2Bucket,
  db: DB,
  scope: UploadScope,
  file: NewUpload,
  now = Date.now(),
): Promise<UploadRow> {
  checkFileSize(file.size, file.name, "attachment");
  if (file.size === 0) throw unprocessable("The file is empty", [{ field: "attachment", message: "is an empty file" }]);
  const objectKey = newObjectKey(scope.accountId);
  const contentType = safeContentType(file.contentType);
  try {
    await bucket.put(objectKey, file.body, { httpMetadata: { contentType } });
  } catch (err) {
    // A streamed body that ends short of its length (or runs past it) fails the put.
    if (file.body instanceof ReadableStream)
      throw badRequest("The request body ended before its Content-Length, or went past it");
    throw err;
  }
  try {
    const [row] = await db
      .insert(uploads)
      .values({
        accountId: scope.accountId,
        blobId: `${UPLOAD_KEY_PREFIX}${secureToken(32)}`,
        objectKey,
        fileName: (file.name || "file").slice(0, 255),
        contentType: contentType.slice(0, 255),
        byteSize: file.size,
        inboxId: scope.inboxId,
        contactId: scope.contactId,
        createdAt: now,
        expiresAt: now + UPLOAD_TTL_MS,
      })
      .returning();
    return row;
  } catch (err) {
    await deleteObjects(bucket, db, [objectKey]);
    throw err;
  }
}

/** What of an upload a caller in `scope` may read: its own, not yet expired. */
const usable = (scope: UploadScope, now: number) =>
  and(
    eq(uploads.accountId, scope.accountId),
    gt(uploads.expiresAt, now),
    scope.contactId === null
      ? isNull(uploads.contactId)
      : and(eq(uploads.inboxId, scope.inboxId ?? 0), eq(uploads.contactId, scope.contactId)),
  );

/** The uploads of `blobIds` the caller may reference, by blob id (unknown, foreign and expired ones are missing). */
export async function findUploads(db: DB, scope: UploadScope, blobIds: string[], now = Date.now()) {
  const rows = await db
    .select()
    .from(uploads)
    .where(and(inList(uploads.blobId, blobIds), usable(scope, now)));
  return new Map(rows.map((r) => [r.blobId, r]));
}

/** An upload of the account by blob id, for its `file_url` while it waits for a message. */
export async function findUploadForDownload(db: DB, accountId: number, blobId: string, now = Date.now()) {
  const [row] = await db
    .select()
    .from(uploads)
    .where(and(eq(uploads.accountId, accountId), eq(uploads.blobId, blobId), gt(uploads.expiresAt, now)));
  return row;
}

/**
 * Deletes up to `limit` uploads that expired unused (oldest first), in one statement; the trigger
 * queues each one's object for deletion. Returns how many went. Safe to run on every database.
 */
export async function pruneUploads(db: DB, now = Date.now(), limit = 500): Promise<number> {
  const expired = db
    .select({ id: uploads.id })
    .from(uploads)
    .where(lte(uploads.expiresAt, now))
    .orderBy(asc(uploads.expiresAt))
    .limit(limit);
  const gone = await db.delete(uploads).where(sql`${uploads.id} in ${expired}`).returning({ id: uploads.id });
  return gone.length;
}

/**
 * Deletes objects no row took (a write that failed after they were stored), best effort: if R2
 * refuses, they are queued in `object_deletions` for the retention job; only if that fails too is
 * an object left behind, and logged. Never throws: the caller's own answer stands.
 */
export async function deleteObjects(bucket: R2Bucket, db: DB, keys: string[]) {
  if (keys.length === 0) return;
  try {
    await bucket.delete(keys);
  } catch (err) {
    try {
      await db.insert(objectDeletions).values(keys.map((objectKey) => ({ objectKey })));
    } catch (queueErr) {
      const error = `${String(err)}; ${String(queueErr)}`;
      console.error(JSON.stringify({ event: "object_delete_failed", keys, error }));
    }
  }
}
