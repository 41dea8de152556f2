import type { ContactInboxRow, ContactRow, InboxRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import { unix } from "../lib/time";
import { Attributes } from "../lib/schemas";
import { inboxSlim, InboxSlim } from "./inbox";

export const ContactInbox = z.object({ source_id: z.string(), inbox: InboxSlim }).openapi("ContactInbox");

export const Contact = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    identifier: z.string().nullable(),
    blocked: z.boolean(),
    thumbnail: z.string(),
    availability_status: z.string(),
    additional_attributes: Attributes,
    custom_attributes: Attributes,
    last_activity_at: z.number().int().nullable(),
    created_at: z.number().int(),
    contact_inboxes: z.array(ContactInbox).optional(),
  })
  .openapi("Contact");

export function contact(
  c: ContactRow,
  contactInboxList?: { contactInbox: ContactInboxRow; inbox: InboxRow }[],
): z.infer<typeof Contact> {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone_number: c.phoneNumber,
    identifier: c.identifier,
    blocked: c.blocked,
    thumbnail: c.avatarUrl ?? "",
    availability_status: "offline",
    additional_attributes: c.additionalAttributes,
    custom_attributes: c.customAttributes,
    last_activity_at: unix(c.lastActivityAt),
    created_at: unix(c.createdAt)!,
    ...(contactInboxList
      ? {
          contact_inboxes: contactInboxList.map((ci) => ({
            source_id: ci.contactInbox.sourceId,
            inbox: inboxSlim(ci.inbox),
          })),
        }
      : {}),
  };
}

export const ContactPushData = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    identifier: z.string().nullable(),
    thumbnail: z.string(),
    blocked: z.boolean(),
    additional_attributes: Attributes,
    custom_attributes: Attributes,
    type: z.literal("contact"),
  })
  .openapi("ContactSummary");

/** The short form used as a conversation's `meta.sender` and a contact's message `sender`. */
export function contactPushData(c: ContactRow): z.infer<typeof ContactPushData> {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone_number: c.phoneNumber,
    identifier: c.identifier,
    thumbnail: c.avatarUrl ?? "",
    blocked: c.blocked,
    additional_attributes: c.additionalAttributes,
    custom_attributes: c.customAttributes,
    type: "contact",
  };
}
