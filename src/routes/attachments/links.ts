import { API_LINK_SECONDS, type AttachmentLinks, attachmentLinks } from "../../lib/attachment-links";

/** The links a response's attachments carry: signed for an hour, from the request's origin. */
export const responseLinks = (c: { env: Env; var: { ctx: { origin: string } } }): AttachmentLinks =>
  attachmentLinks(c.var.ctx.origin, c.env.ATTACHMENT_URL_SECRET, API_LINK_SECONDS);
