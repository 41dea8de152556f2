import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../openapi";
import { errors } from "../responses";
import { findAttachment } from "../../services/attachments";

const Params = z.object({
  key: z
    .string()
    .max(64)
    .openapi({ param: { name: "key", in: "path" } }),
  file_name: z
    .string()
    .max(255)
    .openapi({ param: { name: "file_name", in: "path" } }),
});

const download = createRoute({
  method: "get",
  path: "/attachments/{key}/{file_name}",
  tags: ["Attachments"],
  summary: "Download a message attachment by the unguessable key in its data_url",
  description:
    "No token: the key is the credential, and `file_name` is not checked. Images, audio and video are served inline, " +
    "other files as downloads, always sandboxed (`Content-Security-Policy: sandbox`); an unknown key answers 404.",
  security: [],
  request: { params: Params },
  responses: {
    200: {
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
      description: "The file",
    },
    404: errors[404],
    422: errors[422],
  },
});

const INLINE = new Set(["image", "audio", "video"]);

export const attachmentsRouter = createRouter().openapi(download, async (c) => {
  const a = await findAttachment(c.var.db, c.req.valid("param").key);
  const disposition = INLINE.has(a.fileType) ? "inline" : "attachment";
  return c.body(a.data.slice().buffer as ArrayBuffer, 200, {
    "content-type": a.contentType,
    "content-length": String(a.fileSize),
    "content-disposition": `${disposition}; filename*=UTF-8''${encodeURIComponent(a.fileName)}`,
    // Uploaded files are untrusted: never let a browser run them as a page of this origin.
    "content-security-policy": "sandbox",
    "x-content-type-options": "nosniff",
    "cache-control": "private, max-age=3600",
  });
});
