import { sql } from "drizzle-orm";
import { customType, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";
import { messages } from "./messages";

/** Bytes in a BLOB column; D1 hands blobs back as ArrayBuffers or arrays of numbers. */
const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | number[] | Uint8Array }>({
  dataType: () => "blob",
  toDriver: (value) => value,
  fromDriver: (value) => (Array.isArray(value) ? Uint8Array.from(value) : new Uint8Array(value as ArrayBuffer)),
});

export const FILE_TYPES = ["image", "audio", "video", "file"] as const;

/**
 * A message's file, served by its unguessable key. The bytes live in R2 under `object_key`; rows
 * from before R2 keep them in `data` until the attachment migration job moves them (`data` is then
 * empty and `object_key` set).
 */
export const attachments = sqliteTable(
  "attachments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    messageId: integer("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    fileType: text("file_type", { enum: FILE_TYPES }).notNull(),
    fileName: text("file_name").notNull(),
    extension: text("extension"),
    contentType: text("content_type").notNull(),
    fileSize: integer("file_size").notNull(),
    data: bytes("data").notNull(),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
    /** The R2 object holding the bytes; null while they are still in `data`. */
    objectKey: text("object_key"),
  },
  (t) => [
    uniqueIndex("attachments_key_uq").on(t.key),
    index("attachments_message_idx").on(t.messageId),
    index("attachments_object_key_idx").on(t.objectKey),
  ],
);

/**
 * A file uploaded ahead of its message (`POST …/upload`), referenced later by its `blob_id`. An
 * upload no message took within a day is removed with its object by the retention job. `inboxId` and
 * `contactId` scope a client-API upload to the contact session that made it.
 */
export const uploads = sqliteTable(
  "uploads",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    blobId: text("blob_id").notNull(),
    objectKey: text("object_key").notNull(),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    inboxId: integer("inbox_id"),
    contactId: integer("contact_id"),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("uploads_blob_id_uq").on(t.blobId),
    index("uploads_account_idx").on(t.accountId),
    index("uploads_expires_idx").on(t.expiresAt),
  ],
);

/**
 * R2 objects whose last row is gone: filled by triggers when an attachment or an unused upload is
 * deleted (cascaded deletes of messages, conversations, contacts and accounts included), drained by
 * the retention job, which deletes the objects.
 */
export const objectDeletions = sqliteTable("object_deletions", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  objectKey: text("object_key").notNull(),
  createdAt: integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
});

/** An attachment as messages carry it (a JSON aggregate of its row): what every serializer reads. */
export type StoredAttachment = {
  id: number;
  message_id: number;
  key: string;
  file_type: (typeof FILE_TYPES)[number];
  file_name: string;
  extension: string | null;
  content_type: string;
  file_size: number;
};
