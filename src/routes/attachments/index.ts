import { createRouter } from "../openapi";
import * as h from "./attachments.handlers";
import * as r from "./attachments.routes";

/** Uploads ahead of a message (both APIs) and the signed download links of attachments. */
export const attachmentsRouter = createRouter()
  .openapi(r.upload, h.upload)
  .openapi(r.publicUpload, h.publicUpload)
  .openapi(r.download, h.download)
  .openapi(r.open, h.open);
