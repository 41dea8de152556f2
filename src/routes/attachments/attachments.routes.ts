import { createRoute, z } from "@hono/zod-openapi";
import { json, streamedBody } from "../openapi";
import { AccountParams, AttachmentParams } from "../../lib/params";
import { errors } from "../responses";
import { ErrorEnvelope } from "../../lib/schemas";
import { authenticate, type Load, pathId } from "../../middleware/auth";
import { conversationAttachmentPreload } from "../../services/attachments";
import { conversationPreload, visibleConversation } from "../../services/conversations/view";
import { notFound } from "../../lib/errors";
import { publicClient } from "../../middleware/public-client";
import { SessionParams } from "../public/public.schemas";
import * as s from "./attachments.schemas";

const binary = z.string().openapi({ type: "string", format: "binary" });

const uploadBody = streamedBody(
  {
    "multipart/form-data": { schema: s.UploadForm },
    "application/octet-stream": { schema: binary },
  },
  "The file as the multipart part `attachment`, or as the raw body with the file's own `Content-Type` (any type; " +
    "`?filename=` or `Content-Disposition: attachment; filename=…` names it) and a `Content-Length`, streamed to " +
    "storage unbuffered. Up to 40 MB.",
);

const uploadErrors = {
  ...errors,
  411: { ...errors[422], description: "A raw body without Content-Length" },
  413: { ...errors[422], description: "The file is larger than 40 MB; nothing is stored" },
};

const UPLOAD_DESCRIPTION =
  "Stores a file ahead of its message (Chatwoot's direct upload): send the answer's `blob_id` in a message's " +
  "`attachments` within 24 hours; an upload no message takes is deleted then. A JSON body (Chatwoot's " +
  "`external_url`) is refused with 422: files are never fetched from URLs.";

export const upload = createRoute({
  method: "post",
  path: "/api/v1/accounts/{account_id}/upload",
  tags: ["Attachments"],
  summary: "Upload a file for a later message; answers its blob_id",
  description:
    `${UPLOAD_DESCRIPTION} Any agent of the account (and its agent bots) may upload; the blob_id is then usable ` +
    "by the account's agents, never by a contact.",
  middleware: authenticate({ account: true, bots: true }),
  request: { params: AccountParams, body: uploadBody },
  responses: { 200: json(s.Upload, "The upload"), ...uploadErrors },
});

const { 403: _noRoles, 401: _token, ...common } = uploadErrors;

export const publicUpload = createRoute({
  method: "post",
  path: "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/upload",
  tags: ["Client API"],
  summary: "The contact uploads a file for a later message; answers its blob_id",
  description:
    `${UPLOAD_DESCRIPTION} Client API: no token, the inbox identifier and the contact's \`source_id\` are the ` +
    "credentials; only this contact's messages in this inbox can use the blob_id.",
  security: [],
  middleware: publicClient({ session: true }),
  request: { params: SessionParams, body: uploadBody },
  responses: {
    200: json(s.Upload, "The upload"),
    ...common,
    401: { ...errors[401], description: "hmac_mandatory: the session is not verified" },
    429: { ...errors[422], description: "Too many requests from this client for this inbox; see Retry-After" },
  },
});

export const download = createRoute({
  method: "get",
  path: "/attachments/{account_id}/{key}/{file_name}",
  tags: ["Attachments"],
  summary: "Download a message attachment by its signed data_url",
  description:
    "No token: the link's `expires` and `signature` are the credential (links in API responses and realtime frames " +
    "last about an hour, in webhook bodies 7 days; fetch the message again for a fresh one). A missing, altered or " +
    "expired signature answers 403; a file that is gone, 404; 503 while the operator has not set " +
    "ATTACHMENT_URL_SECRET. Images, audio and video (not SVG) are served inline, " +
    "everything else as a download, always with `Content-Security-Policy: sandbox` and " +
    "`X-Content-Type-Options: nosniff`.",
  security: [],
  request: { params: s.DownloadParams, query: s.DownloadQuery },
  responses: {
    200: { content: { "application/octet-stream": { schema: binary } }, description: "The file" },
    403: errors[403],
    404: errors[404],
    422: errors[422],
    503: {
      content: { "application/json": { schema: ErrorEnvelope } },
      description: "Downloads are not configured (ATTACHMENT_URL_SECRET is not set)",
    },
  },
});

/** The path's attachment, read with the token check, if the caller may see its conversation; else 404. */
const conversationAttachment: Load<{ attachment: { key: string; fileName: string } }> = {
  queries: (c, callerId) => {
    const [account, conversation] = [pathId(c, "account_id"), pathId(c, "conversation_id")];
    return [
      ...conversationPreload(c.var.db, account, conversation, callerId),
      conversationAttachmentPreload(c.var.db, account, conversation, pathId(c, "attachment_id")),
    ];
  },
  apply: (rows, principal) => {
    visibleConversation(principal, rows.slice(0, 2));
    const [attachment] = rows[2] as { key: string; fileName: string }[];
    if (!attachment) throw notFound("Attachment");
    return { attachment };
  },
};

export const open = createRoute({
  method: "get",
  path: "/api/v1/accounts/{account_id}/conversations/{conversation_id}/attachments/{attachment_id}",
  tags: ["Attachments"],
  summary: "Open a message's attachment: a redirect to a link signed now",
  description:
    "Konversio's own (Chatwoot has none): for a page open longer than a `data_url` lasts, as the console is, " +
    "which links every file here so that a file opened hours after the thread loaded still opens. Answers 302 " +
    "with `Location` set to the attachment's `data_url`, signed at this request (valid about an hour), to any " +
    "caller who may see the conversation; the redirect may be cached privately for 10 minutes. An attachment " +
    "of another conversation or account answers 404.",
  middleware: authenticate({ account: true, bots: true, load: conversationAttachment }),
  request: { params: AttachmentParams },
  responses: {
    302: {
      description: "The attachment's signed data_url, in Location",
      headers: { Location: { schema: { type: "string", format: "uri" }, description: "The signed data_url" } },
    },
    ...errors,
  },
});
