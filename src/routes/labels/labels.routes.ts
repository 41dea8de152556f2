import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Deleted } from "../../lib/schemas";
import * as s from "./labels.schemas";

const base = "/api/v1/accounts/{account_id}/labels";
const tags = ["Labels"];
const member = authenticate({ account: true });
const admin = authenticate({ account: true, admin: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The account's labels, in `payload`",
  description: "Any agent of the account may list its label definitions, by id.",
  middleware: member,
  request: { params: AccountParams },
  responses: { 200: json(s.LabelListResult, "Labels"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a label (administrators)",
  description:
    "Only the account's administrators may create labels. The title (letters, numbers, `-` and `_`) is stored " +
    "lower-cased and is unique in the account regardless of case: one already taken answers 422.",
  middleware: admin,
  request: { params: AccountParams, body: body(s.LabelCreateBody, { wrap: "label" }) },
  responses: { 200: json(s.Label, "The label"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "Show a label",
  description: "Any agent of the account may read a label; another account's label id answers 404.",
  middleware: member,
  request: { params: s.LabelParams },
  responses: { 200: json(s.Label, "The label"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update a label (administrators); a new title renames it everywhere",
  description:
    "Only the account's administrators may update a label; PATCH and PUT change only the fields sent. A new title " +
    "replaces the old one on every conversation and contact of the account in the same write; a title already " +
    "taken answers 422 and changes nothing.",
  middleware: admin,
  request: { params: s.LabelParams, body: body(s.LabelUpdateBody, { wrap: "label" }) },
  responses: { 200: json(s.Label, "The label"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete a label (administrators); it is taken off every conversation and contact",
  description:
    "Only the account's administrators may delete a label. Its title is removed from every conversation's and " +
    "contact's labels in the same write, so lists and filters never show it again.",
  middleware: admin,
  request: { params: s.LabelParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});

const contactLabels = "/api/v1/accounts/{account_id}/contacts/{id}/labels";

export const contactList = createRoute({
  method: "get",
  path: contactLabels,
  tags: ["Contacts"],
  summary: "The contact's labels",
  description: "Any agent of the account may call this; answers the label titles in `payload`, in the order added.",
  middleware: member,
  request: { params: s.ContactParams },
  responses: { 200: json(s.ContactLabelsResult, "Labels"), ...errors },
});

export const contactSet = createRoute({
  method: "post",
  path: contactLabels,
  tags: ["Contacts"],
  summary: "Replace the contact's labels",
  description:
    "Any agent of the account may call this. `labels` becomes the contact's complete list (an empty list clears " +
    "it); any title is accepted, defined as an account label or not, as Chatwoot does. Returns the new list.",
  middleware: member,
  request: { params: s.ContactParams, body: body(s.ContactLabelsBody) },
  responses: { 200: json(s.ContactLabelsResult, "Labels"), ...errors },
});
