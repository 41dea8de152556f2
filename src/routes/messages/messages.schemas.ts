import { z } from "@hono/zod-openapi";
import { MESSAGE_STATUSES } from "../../db/schema";
import { zBlankable, zBool, zId, zJsonObject, zKey, zQuery } from "../../lib/zod";
import { Message } from "../../serializers/message";
import { takesFiles } from "../../lib/body";
import { ContactPushData } from "../../serializers/contact";
import { UserPushData } from "../../serializers/user";

export const MAX_CONTENT = 150_000;

export const CONTENT_TYPES = [
  "text",
  "input_text",
  "input_textarea",
  "input_email",
  "input_select",
  "cards",
  "form",
  "article",
  "incoming_email",
  "input_csat",
  "integrations",
  "sticker",
  "voice_call",
] as const;

const MESSAGE_TYPE_BY_CODE = { "0": "incoming", "1": "outgoing", "3": "template" } as const;

/** `message_type` as a name, or as Chatwoot's integer code (0 incoming, 1 outgoing, 3 template). */
const messageType = z.preprocess(
  (v) =>
    typeof v === "number" || (typeof v === "string" && /^\d$/.test(v))
      ? (MESSAGE_TYPE_BY_CODE[String(v) as "0"] ?? v)
      : v,
  z.enum(["incoming", "outgoing", "template"]),
);

const ITEM_TYPES = new Set(["input_select", "cards", "form", "article"]);

export const MessageFields = z
  .object({
    content: z
      .string()
      .max(MAX_CONTENT, `Content is too long (maximum is ${MAX_CONTENT} characters)`)
      .nullable()
      .optional(),
    message_type: messageType.optional().describe("incoming (API inboxes only), outgoing (default) or template"),
    private: zBool.optional().describe("A private note, never shown to the contact"),
    content_type: z.enum(CONTENT_TYPES).optional(),
    content_attributes: zJsonObject.optional(),
    template_params: zJsonObject.optional(),
    echo_id: zBlankable(zKey()).optional(),
    source_id: zBlankable(zKey()).nullable().optional().describe("The message's id in your system"),
  })
  .superRefine((m, ctx) => {
    if (m.content_type && ITEM_TYPES.has(m.content_type)) {
      const items = m.content_attributes?.items;
      if (!Array.isArray(items) || items.length === 0 || !items.every((i) => i && typeof i === "object"))
        ctx.addIssue({
          code: "custom",
          path: ["content_attributes", "items"],
          message: `is required for ${m.content_type}`,
        });
      if (
        m.content_type === "input_select" &&
        Array.isArray(items) &&
        !items.every((i) => typeof i?.title === "string" && "value" in i)
      )
        ctx.addIssue({
          code: "custom",
          path: ["content_attributes", "items"],
          message: "each item needs a title and a value",
        });
    }
  });

/** A message's file: one sent in the request, or one uploaded before (`POST …/upload`), by its blob_id. */
export type AttachmentRef = File | { blobId: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof File);
/** Keys a client may use to point at a file elsewhere: never fetched (a request to any URL is an SSRF). */
const URL_KEYS = ["url", "external_url", "file_url", "data_url", "remote_url"];
export const URL_REFUSED =
  "is a URL: files are not fetched from URLs; upload the file first (POST …/upload) and send its blob_id";

/** `attachments[]` item: a file part, a blob_id (a string, or `{"blob_id": "…"}`). */
const attachmentItem = z
  .unknown()
  .transform((v, ctx): AttachmentRef => {
    if (v instanceof File) return v;
    const id = typeof v === "string" ? v.trim() : isObject(v) && typeof v.blob_id === "string" ? v.blob_id.trim() : "";
    if (id !== "" && id.length <= 64) return { blobId: id };
    const url = isObject(v) && URL_KEYS.some((k) => k in v);
    ctx.addIssue({ code: "custom", message: url ? URL_REFUSED : "must be a file or an upload's blob_id" });
    return z.NEVER;
  })
  .openapi({
    oneOf: [
      { type: "string", format: "binary", description: "A file (multipart)" },
      { type: "string", description: "The blob_id of an upload (`POST …/upload`)" },
      { type: "object", properties: { blob_id: { type: "string" } }, required: ["blob_id"] },
    ],
  });
const MAX_ATTACHMENTS = 15;
/** `attachments[]` of a message create, in both APIs: file parts and blob ids of uploads. */
export const AttachmentRefs = z
  .array(attachmentItem)
  .max(MAX_ATTACHMENTS, `At most ${MAX_ATTACHMENTS} attachments`)
  .describe(
    "Files as multipart `attachments[]` parts (each up to 40 MB), or blob ids of uploads (`POST …/upload`), " +
      'in JSON as `["<blob_id>"]` or `[{"blob_id": "…"}]` and in multipart as `attachments[]` text parts. ' +
      "URLs are refused (422): upload first.",
  );

export const MessageCreateBody = MessageFields.and(z.object({ attachments: AttachmentRefs.optional() }))
  .superRefine((m, ctx) => {
    const hasContent = typeof m.content === "string" && m.content.trim() !== "";
    if (!hasContent && !m.attachments?.length && !m.content_attributes?.items)
      ctx.addIssue({ code: "custom", path: ["content"], message: "can't be blank" });
  })
  // Swagger UI's "Try it out" starts from this: a body that works as it stands (its own would send
  // `"attachments": ["string"]`).
  .openapi("MessageCreate", {
    example: { content: "Thanks for reaching out! Your order ships today.", message_type: "outgoing", private: false },
  });
takesFiles(MessageCreateBody);

export const MessageStatusBody = z
  .object({ status: z.enum(MESSAGE_STATUSES), external_error: z.string().max(1000).optional() })
  .openapi("MessageStatusUpdate");

export const MessageListQuery = z.object({
  before: zQuery(zId).describe("Messages older than this message id (20)"),
  after: zQuery(zId).describe("Messages newer than this message id (up to 100)"),
});

export const MessageList = z
  .object({
    meta: z.object({
      labels: z.array(z.string()),
      additional_attributes: z.record(z.string(), z.unknown()),
      contact: ContactPushData,
      assignee: UserPushData.nullable(),
      agent_last_seen_at: z.number().int(),
      assignee_last_seen_at: z.number().int(),
    }),
    payload: z.array(Message),
  })
  .openapi("MessageList");

export const MessageParams = z.object({
  account_id: zId.openapi({ param: { name: "account_id", in: "path" }, type: "integer" }),
  conversation_id: zId.openapi({ param: { name: "conversation_id", in: "path" }, type: "integer" }),
  message_id: zId.openapi({ param: { name: "message_id", in: "path" }, type: "integer" }),
});

export { Message };
