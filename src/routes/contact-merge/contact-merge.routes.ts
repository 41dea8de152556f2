import { createRoute } from "@hono/zod-openapi";
import { AccountParams } from "../../lib/params";
import { Contact } from "../../serializers/contact";
import { body, json } from "../openapi";
import { errors } from "../responses";
import { ContactMergeBody } from "./contact-merge.schemas";
import { withMergeReads } from "./preload";

export const merge = createRoute({
  method: "post",
  path: "/api/v1/accounts/{account_id}/actions/contact_merge",
  tags: ["Contacts"],
  summary: "Merge one contact into another (the mergee is deleted)",
  description:
    "Any agent of the account may merge, as in Chatwoot. Everything of the mergee becomes the base's: its " +
    "conversations, contact_inboxes (source ids and pubsub tokens keep working), notes, labels, CSAT answers and " +
    "the sender of its messages. The base keeps its own name, e-mail, phone number, identifier and avatar, taking " +
    "the mergee's only where it has none; custom and additional attributes are merged with the base's values " +
    "winning. The mergee is then deleted. All of it commits at once or not at all. Emits `contact_deleted` for " +
    "the mergee (with `merged_into_contact_id`) and one `contact_updated` for the base. Answers the base contact " +
    "(unwrapped, as Chatwoot). The same id twice answers 422; an unknown id, or one of another account, 404 " +
    "with nothing written.",
  middleware: withMergeReads,
  request: { params: AccountParams, body: body(ContactMergeBody) },
  responses: { 200: json(Contact, "The base contact, merged"), ...errors },
});
