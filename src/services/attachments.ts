import type { StoredAttachment } from "../db/schema";
import { eq, type SQL } from "drizzle-orm";
import { attachments } from "../db/schema";
import { secureToken } from "../lib/crypto";
import { notFound, unprocessable } from "../lib/errors";
import type { DB } from "../db/client";

/** D1 rows are limited to 2 MB, so each file is kept below that. */
export const MAX_ATTACHMENT_BYTES = 1_500_000;

const fileType = (contentType: string): StoredAttachment["file_type"] => {
  const kind = contentType.split("/")[0];
  return kind === "image" || kind === "audio" || kind === "video" ? kind : "file";
};

export type PreparedFile = { name: string; contentType: string; data: ArrayBuffer };

/** Reads the uploaded files, refusing oversize ones before anything is written. */
export async function prepareFiles(files: File[] | undefined): Promise<PreparedFile[]> {
  if (!files?.length) return [];
  const tooBig = files.findIndex((f) => f.size > MAX_ATTACHMENT_BYTES);
  if (tooBig >= 0)
    throw unprocessable(`Attachment ${files[tooBig].name} is too large (maximum is ${MAX_ATTACHMENT_BYTES} bytes)`, [
      { field: `attachments.${tooBig}`, message: "is too large" },
    ]);
  return Promise.all(
    files.map(async (f) => ({
      name: f.name || "file",
      contentType: f.type || "application/octet-stream",
      data: await f.arrayBuffer(),
    })),
  );
}

/** Inserts for the files of a message written in the same batch (`messageId` may be a subquery). */
export function attachmentInserts(db: DB, accountId: number, messageId: SQL, files: PreparedFile[]) {
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
        fileSize: f.data.byteLength,
        data: new Uint8Array(f.data),
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

export async function findAttachment(db: DB, key: string) {
  const [row] = await db.select().from(attachments).where(eq(attachments.key, key));
  if (!row) throw notFound("Attachment");
  return row;
}
