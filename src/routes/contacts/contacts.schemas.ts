import { z } from "@hono/zod-openapi";
import { zBool, zId, zJsonObject, zKey, zList, zPage, zQuery } from "../../lib/zod";
import { Contact, ContactInbox } from "../../serializers/contact";
import { Conversation } from "../../serializers/conversation";

const text = (max: number) => z.string().trim().max(max);

export const ContactFields = z.object({
  name: text(255).nullable().optional(),
  email: z
    .email()
    .max(255)
    .nullable()
    .optional()
    .or(z.literal("").transform(() => null)),
  phone_number: z
    .string()
    .trim()
    .regex(/^\+[1-9]\d{1,14}$/, "must be in E.164 format, e.g. +14155550100")
    .nullable()
    .optional()
    .or(z.literal("").transform(() => null)),
  identifier: zKey().nullable().optional(),
  avatar_url: z.url().max(2048).nullable().optional(),
  blocked: zBool.optional(),
  additional_attributes: zJsonObject.optional(),
  custom_attributes: zJsonObject.optional(),
});

export const ContactCreateBody = ContactFields.extend({
  inbox_id: zId.optional().describe("Also create the contact's contact_inbox in this inbox"),
  source_id: zKey().optional().describe("The contact_inbox source_id (defaults to a UUID)"),
}).openapi("ContactCreate");

export const ContactUpdateBody = ContactFields.openapi("ContactUpdate");

export const ContactInboxCreateBody = z
  .object({ inbox_id: zId, source_id: zKey().optional(), hmac_verified: zBool.optional() })
  .openapi("ContactInboxCreate");

export const CONTACT_SORT_FIELDS = ["name", "email", "phone_number", "last_activity_at", "created_at"] as const;
export type ContactSortField = (typeof CONTACT_SORT_FIELDS)[number];
/** A field ascending, or descending with a leading `-`, as Chatwoot's `sort`. */
export type ContactSort = ContactSortField | `-${ContactSortField}`;
const CONTACT_SORTS = CONTACT_SORT_FIELDS.flatMap((f): ContactSort[] => [f, `-${f}`]);

const labelFilter = zQuery(zList(zKey()).pipe(z.array(z.string()).max(50)));

export const ContactListQuery = z.object({
  page: zPage,
  sort: zQuery(z.enum(CONTACT_SORTS as [ContactSort, ...ContactSort[]])),
  include_contact_inboxes: zQuery(zBool),
  labels: labelFilter.describe("Only contacts carrying any of these labels (`labels=a&labels=b` or `labels=a,b`)"),
  "labels[]": labelFilter.describe("The same filter as Rails clients send it (`labels[]=a&labels[]=b`)"),
});

export const ContactSearchQuery = ContactListQuery.extend({ q: zQuery(z.string().max(255)) });

export const ContactList = z
  .object({
    meta: z.object({ count: z.number().int(), current_page: z.number().int(), has_more: z.boolean().optional() }),
    payload: z.array(Contact),
  })
  .openapi("ContactList");

export const ContactPayload = z.object({ payload: Contact }).openapi("ContactPayload");

export const ContactCreated = z
  .object({
    payload: z.object({ contact: Contact, contact_inbox: ContactInbox.nullable() }),
  })
  .openapi("ContactCreated");

export const ContactConversations = z.object({ payload: z.array(Conversation) }).openapi("ContactConversations");
export const ContactInboxList = z.object({ payload: z.array(ContactInbox) }).openapi("ContactInboxList");
