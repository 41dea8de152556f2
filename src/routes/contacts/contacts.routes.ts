import { createRoute } from "@hono/zod-openapi";
import { AccountParams, ContactParams } from "../../lib/params";
import { body, json } from "../openapi";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { withCreationReads } from "./preload";
import {
  ContactConversations,
  ContactCreateBody,
  ContactCreated,
  ContactInboxCreateBody,
  ContactInboxList,
  ContactList,
  ContactListQuery,
  ContactPayload,
  ContactSearchQuery,
  ContactUpdateBody,
} from "./contacts.schemas";
import { ContactInbox } from "../../serializers/contact";
import { Deleted } from "../../lib/schemas";

const base = "/api/v1/accounts/{account_id}/contacts";
const tags = ["Contacts"];
const member = authenticate({ account: true });
/** Deleting a contact deletes its conversations in every inbox, so only administrators may (as in Chatwoot). */
const admin = authenticate({ account: true, admin: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "List identified contacts, 15 a page",
  description:
    "Any agent of the account may call this. Lists contacts with an e-mail, phone number or identifier, most " +
    "recently active first unless `sort` says otherwise; `meta.count` is the total. Each contact's contact_inboxes " +
    "are only those of inboxes the caller can see.",
  middleware: member,
  request: { params: AccountParams, query: ContactListQuery },
  responses: { 200: json(ContactList, "A page of contacts"), ...errors },
});

export const search = createRoute({
  method: "get",
  path: `${base}/search`,
  tags,
  summary: "Search contacts by name, e-mail, phone number or identifier",
  description:
    "Any agent of the account may call this. `q` matches a substring of any of the four fields, case-insensitively; " +
    "15 a page, with `meta.has_more`.",
  middleware: member,
  request: { params: AccountParams, query: ContactSearchQuery },
  responses: { 200: json(ContactList, "Matching contacts"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a contact, or find the one with this identifier",
  description:
    "A contact whose `identifier` already exists in the account is returned instead of a duplicate. With " +
    "`inbox_id`, the contact_inbox (and its `source_id`) is created too.",
  middleware: withCreationReads,
  request: { params: AccountParams, body: body(ContactCreateBody, { wrap: "contact", multipart: true }) },
  responses: { 200: json(ContactCreated, "The contact (new or existing)"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "Show a contact",
  description:
    "Any agent of the account may call this; another account's contact id answers 404. Its contact_inboxes are those " +
    "of inboxes the caller can see.",
  middleware: member,
  request: { params: ContactParams },
  responses: { 200: json(ContactPayload, "The contact"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update a contact (attributes are merged)",
  description:
    "Any agent of the account may call this; PUT and PATCH behave alike and change only the fields sent. Emits " +
    "`contact_updated` with the changed attributes when anything changed; a taken e-mail, phone number or identifier " +
    "answers 422.",
  middleware: member,
  request: { params: ContactParams, body: body(ContactUpdateBody, { wrap: "contact", multipart: true }) },
  responses: { 200: json(ContactPayload, "The updated contact"), ...errors },
};
export const update = createRoute({ method: "put", ...updateConfig });
export const patch = createRoute({ method: "patch", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete a contact with its conversations (administrators)",
  description:
    "Only the account's administrators may call this. Emits `contact_deleted` with the contact as it was; another " +
    "account's contact id answers 404.",
  middleware: admin,
  request: { params: ContactParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

export const conversations = createRoute({
  method: "get",
  path: `${base}/{id}/conversations`,
  tags,
  summary: "The contact's latest 20 conversations",
  description:
    "Any agent of the account may call this; only conversations of inboxes the caller can see are listed, by latest " +
    "activity.",
  middleware: member,
  request: { params: ContactParams },
  responses: { 200: json(ContactConversations, "Conversations"), ...errors },
});

export const contactInboxes = createRoute({
  method: "get",
  path: `${base}/{id}/contact_inboxes`,
  tags,
  summary: "The contact's contact_inboxes (source ids per inbox)",
  description: "Any agent of the account may call this; only inboxes the caller can see are listed.",
  middleware: member,
  request: { params: ContactParams },
  responses: { 200: json(ContactInboxList, "Contact inboxes"), ...errors },
});

export const createContactInbox = createRoute({
  method: "post",
  path: `${base}/{id}/contact_inboxes`,
  tags,
  summary: "Create the contact's contact_inbox in an inbox",
  description:
    "Any agent of the account, for an inbox they belong to (administrators: any; otherwise 404). An existing " +
    "contact_inbox is returned (by `source_id` when given, else the contact's first in the inbox); a `source_id` of " +
    "another contact answers 422.",
  middleware: member,
  request: { params: ContactParams, body: body(ContactInboxCreateBody, { wrap: "contact_inbox" }) },
  responses: { 200: json(ContactInbox, "The contact_inbox"), ...errors },
});
