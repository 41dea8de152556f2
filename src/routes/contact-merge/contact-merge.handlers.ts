import type { AppRouteHandler } from "../openapi";
import { contact } from "../../serializers/contact";
import { mergeContacts } from "../../services/contact-merge";
import type * as routes from "./contact-merge.routes";

export const merge: AppRouteHandler<typeof routes, "merge"> = async (c) => {
  const merged = await mergeContacts(c.var.ctx, c.req.valid("json"), c.var.creationReads);
  return c.json(contact(merged.contact, merged.contactInboxes), 200);
};
