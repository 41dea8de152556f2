import type { StoredAttachment } from "../db/schema";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { attachments, uploads } from "../db/schema";
import { inList } from "../db/select";
import { secureToken } from "../lib/crypto";
import { unprocessable } from "../lib/errors";
import type { DB } from "../db/client";
import type { AttachmentRef } from "../routes/messages/messages.schemas";
import {
  checkFileSize,
  deleteObjects,
  findUploadForDownload,
  findUploads,
  newObjectKey,
  safeContentType,
  UPLOAD_KEY_PREFIX,
  type UploadScope,
} from "./uploads";

const fileType = (contentType: string): StoredAttachment["file_type"] => {
  const kind = contentType.split("/")[0];
  return kind === "image" || kind === "audio" || kind === "video" ? kind : "file";
};

/** A message's file whose bytes are in R2 already: put by this request, or an upload's. */
export type NewAttachment = { objectKey: string; name: string; contentType: string; size: number };

/**
 * What a message create writes for its files: the attachments, the uploads they take (deleted in
 * the message's batch) and the objects this request put (deleted again if the batch fails).
 */
export type PreparedAttachments = { files: NewAttachment[]; uploadIds: number[]; put: string[] };

/** The `data` of a row whose bytes are in R2. */
const EMPTY = new Uint8Array(0);

const NOTHING: PreparedAttachments = { files: [], uploadIds: [], put: [] };

const unknownUpload = "is not an upload of yours that can still be used (unknown, expired or taken)";

/**
 * Makes a message's files ready before its batch: oversize files are refused (413) and blob ids
 * that are not the caller's usable uploads (422), both before anything is stored; then the files
 * sent in the request go to R2. If one put fails, the others are deleted again.
 */
export async function prepareAttachments(
  bucket: R2Bucket,
  db: DB,
  scope: UploadScope,
  refs: AttachmentRef[] | undefined,
  now = Date.now(),
): Promise<PreparedAttachments> {
  if (!refs?.length) return NOTHING;
  refs.forEach((r, i) => {
    if (r instanceof File) checkFileSize(r.size, `Attachment ${r.name || "file"}`, `attachments.${i}`);
  });
  const blobIds = refs.flatMap((r) => (r instanceof File ? [] : [r.blobId]));
  const found = blobIds.length ? await findUploads(db, scope, blobIds, now) : new Map();
  const missing = refs.flatMap((r, i) =>
    r instanceof File || found.has(r.blobId) ? [] : [{ field: `attachments.${i}`, message: unknownUpload }],
  );
  if (missing.length) throw unprocessable(`Attachment blob_id ${missing[0].message}`, missing);

  const put: string[] = [];
  const settled = await Promise.allSettled(
    refs.map(async (r): Promise<NewAttachment> => {
      if (!(r instanceof File)) {
        const u = found.get(r.blobId)!;
        return { objectKey: u.objectKey, name: u.fileName, contentType: u.contentType, size: u.byteSize };
      }
      const objectKey = newObjectKey(scope.accountId);
      const contentType = safeContentType(r.type);
      await bucket.put(objectKey, r, { httpMetadata: { contentType } });
      put.push(objectKey);
      return { objectKey, name: r.name || "file", contentType, size: r.size };
    }),
  );
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    await deleteObjects(bucket, db, put);
    throw failed.reason;
  }
  const uploadIds = [...new Set(blobIds.map((id) => found.get(id)!.id as number))];
  return { files: settled.map((s) => (s as PromiseFulfilledResult<NewAttachment>).value), uploadIds, put };
}

/** Inserts for the files of a message written in the same batch (`messageId` may be a subquery). */
export function attachmentInserts(db: DB, accountId: number, messageId: SQL, files: NewAttachment[]) {
  return files.map((f) =>
    db
      .insert(attachments)
      .values({
        accountId,
        messageId: messageId as unknown as number,
        key: secureToken(32),
        fileType: fileType(f.contentType),
        fileName: f.name.slice(0, 255),
        extension: f.name.includes(".") ? f.name.split(".").pop()!.slice(0, 16).toLowerCase() : null,
        contentType: f.contentType.slice(0, 255),
        fileSize: f.size,
        data: EMPTY,
        objectKey: f.objectKey,
      })
      .returning({
        id: attachments.id,
        message_id: attachments.messageId,
        key: attachments.key,
        file_type: attachments.fileType,
        file_name: attachments.fileName,
        extension: attachments.extension,
        content_type: attachments.contentType,
        file_size: attachments.fileSize,
      }),
  );
}

/**
 * The uploads a message takes, for its batch after the attachment inserts: a guard that fails
 * (rolling the batch back) unless each is still there and unexpired, so one pruned meanwhile is
 * never attached to an object about to be deleted, then their deletion. The attachments now hold
 * the objects, so the trigger queues none of them.
 */
export function uploadsTaken(db: DB, uploadIds: number[], now: number) {
  if (uploadIds.length === 0) return [];
  const present = sql`(select count(*) from ${uploads} where ${inList(uploads.id, uploadIds)}
    and ${uploads.expiresAt} > ${now}) = ${uploadIds.length}`;
  return [
    db.select({ ok: sql<number>`case when ${present} then 1 else json('upload gone') end` }).from(sql`(select 1)`),
    db.delete(uploads).where(inList(uploads.id, uploadIds)),
  ];
}

/** A file to download: its bytes in R2 (`objectKey`), or still in D1 (`data`, a row the migration has not moved). */
type Download = {
  fileName: string;
  contentType: string;
  size: number;
  objectKey: string | null;
  data: Uint8Array;
};

/**
 * The file a download link names: the account's attachment with this key, or, for a blob id, the
 * account's upload while it waits for a message. Looked up by account and key, so the account's
 * own database answers. Undefined when there is none.
 */
export async function findDownload(
  db: DB,
  accountId: number,
  key: string,
  now = Date.now(),
): Promise<Download | undefined> {
  if (key.startsWith(UPLOAD_KEY_PREFIX)) {
    const u = await findUploadForDownload(db, accountId, key, now);
    return (
      u && { fileName: u.fileName, contentType: u.contentType, size: u.byteSize, objectKey: u.objectKey, data: EMPTY }
    );
  }
  const [a] = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.accountId, accountId), eq(attachments.key, key)));
  return (
    a && { fileName: a.fileName, contentType: a.contentType, size: a.fileSize, objectKey: a.objectKey, data: a.data }
  );
}

/**
 * Preload for a fresh link: attachment `attachmentId` of a message of the account's conversation
 * `displayId` (its key and name), read in the batch that checks the caller and the conversation.
 */
export function conversationAttachmentPreload(db: DB, accountId: number, displayId: number, attachmentId: number) {
  return db
    .select({ key: attachments.key, fileName: attachments.fileName })
    .from(attachments)
    .where(
      sql`${attachments.id} = ${attachmentId} and ${attachments.accountId} = ${accountId}
        and exists (select 1 from messages m where m.id = ${attachments.messageId}
          and m.conversation_id = (select id from conversations where account_id = ${accountId}
            and display_id = ${displayId}))`,
    );
}
