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

/** A message's file, kept in D1 (rows are limited to 2 MB) and served by its unguessable key. */
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
  },
  (t) => [uniqueIndex("attachments_key_uq").on(t.key), index("attachments_message_idx").on(t.messageId)],
);

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
