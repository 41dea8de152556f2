import { createRoute, z } from "@hono/zod-openapi";
import { json, streamedBody } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { ErrorEnvelope } from "../../lib/schemas";
import { authenticate } from "../../middleware/auth";
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
