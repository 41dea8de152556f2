import { z } from "@hono/zod-openapi";

const pathText = (name: string, max: number, description: string) =>
  z
    .string()
    .max(max)
    .openapi({ param: { name, in: "path" }, description });

/**
 * A download link's path. Plain strings: a link that is not one the server signed (whatever is
 * wrong with it) is refused as one, with 403, before anything is read.
 */
export const DownloadParams = z.object({
  account_id: pathText("account_id", 20, "The account the file belongs to"),
  key: pathText("key", 64, "The attachment's key (or an upload's blob_id)"),
  file_name: pathText("file_name", 255, "The file's name (not checked: the name the file is saved as)"),
});

export const DownloadQuery = z.object({
  expires: z.string().optional().describe("Unix seconds after which the link no longer works"),
  signature: z.string().optional().describe('hex HMAC-SHA256 of "<account_id>/<key>/<expires>"'),
});

export const Upload = z
  .object({
    file_url: z.string().describe("A signed link to the file (an hour; while the upload waits for a message)"),
    blob_key: z.string().describe("The file's storage key"),
    blob_id: z
      .string()
      .describe("The upload's id: send it in a message's `attachments` within 24 hours (a string, not a number)"),
  })
  .openapi("Upload");

/** The multipart form of an upload, for the document (the handler reads the body). */
export const UploadForm = z
  .object({ attachment: z.string().openapi({ type: "string", format: "binary" }).describe("The file") })
  .openapi("UploadForm");
