import type { Context } from "hono";
import type { AppRouteHandler } from "../openapi";
import { API_LINK_SECONDS, attachmentLinks, linkValid, signedUrl } from "../../lib/attachment-links";
import { MAX_FILE_BODY_BYTES, mediaType, readBody, readsAsFields } from "../../lib/body";
import { AppError, badRequest, forbidden, notFound, unprocessable } from "../../lib/errors";
import { findDownload } from "../../services/attachments";
import { checkFileSize, createUpload, type NewUpload, type UploadRow } from "../../services/uploads";
import { URL_REFUSED } from "../messages/messages.schemas";
import type * as routes from "./attachments.routes";

const SECRET_MISSING =
  "Attachment downloads are not configured: the operator must set the ATTACHMENT_URL_SECRET secret";
const LINK_REFUSED = "This download link is invalid or has expired: fetch the message again for a current data_url";

/** Shown inline: media a browser plays or shows as such. SVG (a document that can run script) and XML never. */
const inline = (contentType: string) =>
  /^(image|audio|video)\//.test(contentType) && !/svg|xml/.test(contentType.split(";")[0]);

/** `Content-Disposition` with the name as UTF-8 (RFC 6266) and a plain-ASCII fallback for old clients. */
function disposition(kind: "inline" | "attachment", name: string) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const download: AppRouteHandler<typeof routes, "download"> = async (c) => {
  const p = c.req.valid("param");
  const q = c.req.valid("query");
  const now = Date.now();
  const link = { accountId: p.account_id, key: p.key, expires: q.expires, signature: q.signature };
  // An operator who never set the secret gets told so, not a 403 that blames the link.
  if (!c.env.ATTACHMENT_URL_SECRET) throw new AppError(503, "NOT_CONFIGURED", SECRET_MISSING);
  // Checked before anything is read: a forged or stale link costs no database work.
  if (!linkValid(c.env.ATTACHMENT_URL_SECRET, link, now)) throw forbidden(LINK_REFUSED);
  const file = await findDownload(c.var.db, Number(p.account_id), p.key, now);
  if (!file) throw notFound("Attachment");
  let body: ReadableStream | ArrayBuffer = file.data.slice().buffer as ArrayBuffer;
  let size = file.size;
  if (file.objectKey) {
    const object = await c.env.ATTACHMENTS.get(file.objectKey);
    if (!object) throw notFound("Attachment");
    body = object.body;
    size = object.size;
  }
  // A browser may keep the file until the link expires, never longer, and only for this user.
  const maxAge = Math.max(0, Math.min(API_LINK_SECONDS, Number(q.expires) - Math.floor(now / 1000)));
  return c.body(body, 200, {
    "content-type": file.contentType,
    "content-length": String(size),
    "content-disposition": disposition(inline(file.contentType) ? "inline" : "attachment", file.fileName),
    // Uploaded files are untrusted: never let a browser run them as a page of this origin.
    "content-security-policy": "sandbox",
    "x-content-type-options": "nosniff",
    "cache-control": `private, max-age=${maxAge}`,
  });
};

/** A link to the path's attachment signed now, for a page open longer than its first link lasted. */
export const open: AppRouteHandler<typeof routes, "open"> = async (c) => {
  const { account_id: accountId } = c.req.valid("param");
  const { key, fileName } = c.var.attachment;
  const links = attachmentLinks(new URL(c.req.url).origin, c.env.ATTACHMENT_URL_SECRET, API_LINK_SECONDS);
  // Cached no longer than leaves the link most of its hour (links expire on a step, never sooner).
  c.header("cache-control", "private, max-age=600");
  return c.redirect(signedUrl(links, accountId, key, fileName), 302);
};

/** The name in `Content-Disposition: attachment; filename*=UTF-8''…` or `filename="…"`, if any. */
function dispositionName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = header.match(/filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      /* not percent-encoded: the plain name, if any, is used */
    }
  }
  return header
    .match(/filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/)
    ?.slice(1)
    .find(Boolean)
    ?.trim();
}

/**
 * The upload's file, as sent: the multipart part `attachment` (buffered by the platform's form
 * parser, within the file routes' limit), or the raw body, streamed straight to storage. A JSON or
 * form body without a filename has no file in it (Chatwoot's `external_url` is never fetched).
 */
async function fileOf(c: Context): Promise<NewUpload> {
  const type = mediaType(c);
  const named = c.req.query("filename") || dispositionName(c.req.header("content-disposition"));
  if (type === "multipart/form-data") {
    const file = (await readBody(c, MAX_FILE_BODY_BYTES)).attachment;
    if (!(file instanceof File))
      throw unprocessable("attachment is required: send the file as the multipart part named attachment", [
        { field: "attachment", message: "must be a file" },
      ]);
    return { body: file, size: file.size, name: file.name || named || "file", contentType: file.type };
  }
  if (!named && readsAsFields(type)) {
    const fields = await readBody(c);
    const url = ["external_url", "url", "file_url"].find((k) => k in fields);
    if (url) throw unprocessable(`${url} ${URL_REFUSED}`, [{ field: url, message: URL_REFUSED }]);
    throw unprocessable("attachment is required: send the file as the multipart part attachment, or as the raw body", [
      { field: "attachment", message: "is required" },
    ]);
  }
  const declared = c.req.header("content-length");
  if (!declared || !/^\d{1,15}$/.test(declared))
    throw new AppError(411, "LENGTH_REQUIRED", "A raw upload needs its Content-Length");
  const size = Number(declared);
  const name = named || "file";
  checkFileSize(size, name, "attachment");
  // Read already (an Idempotency-Key hashed it): Hono keeps the bytes.
  const raw = c.req.raw;
  const body =
    raw.bodyUsed || !raw.body ? await c.req.arrayBuffer() : raw.body.pipeThrough(new FixedLengthStream(size));
  if (body instanceof ArrayBuffer && body.byteLength !== size)
    throw badRequest("The request body does not have the length its Content-Length says");
  return { body, size, name, contentType: type === "" ? "application/octet-stream" : c.req.header("content-type")! };
}

/** Chatwoot's answer: `file_url`, `blob_key`, `blob_id` (here a string). */
function uploaded(c: { env: Env; req: { url: string } }, u: UploadRow) {
  const links = attachmentLinks(new URL(c.req.url).origin, c.env.ATTACHMENT_URL_SECRET, API_LINK_SECONDS);
  return { file_url: signedUrl(links, u.accountId, u.blobId, u.fileName), blob_key: u.objectKey, blob_id: u.blobId };
}

export const upload: AppRouteHandler<typeof routes, "upload"> = async (c) => {
  const scope = { accountId: c.var.ctx.accountId, inboxId: null, contactId: null };
  const u = await createUpload(c.env.ATTACHMENTS, c.var.db, scope, await fileOf(c));
  return c.json(uploaded(c, u), 200);
};

export const publicUpload: AppRouteHandler<typeof routes, "publicUpload"> = async (c) => {
  const { session } = c.var;
  const scope = { accountId: session.inbox.accountId, inboxId: session.inbox.id, contactId: session.contact.id };
  const u = await createUpload(c.env.ATTACHMENTS, c.var.db, scope, await fileOf(c));
  return c.json(uploaded(c, u), 200);
};
