import { createRoute } from "@hono/zod-openapi";
import { Deleted } from "../../lib/schemas";
import { authenticate } from "../../middleware/auth";
import { body, json } from "../openapi";
import { errors } from "../responses";
import * as s from "./contact-notes.schemas";

const base = "/api/v1/accounts/{account_id}/contacts/{contact_id}/notes";
const tags = ["Contact notes"];
const member = authenticate({ account: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The contact's notes, newest first (a bare array)",
  description:
    "Any agent of the account may read a contact's notes. Each carries its author as agent JSON (`user`), null " +
    "once the author is no longer an agent of the account. Another account's contact id answers 404.",
  middleware: member,
  request: { params: s.ContactNotesParams },
  responses: { 200: json(s.ContactNoteList, "Notes"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Add a note to the contact",
  description:
    "Any agent of the account may add a note; the caller is its author. `content` is required (1 to " +
    `${s.NOTE_CONTENT_MAX} characters, trimmed).`,
  middleware: member,
  request: { params: s.ContactNotesParams, body: body(s.ContactNoteBody, { wrap: "note" }) },
  responses: { 200: json(s.ContactNote, "The note"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  summary: "Show a note",
  description: "Any agent of the account may read a note; a note of another contact or account answers 404.",
  middleware: member,
  request: { params: s.ContactNoteParams },
  responses: { 200: json(s.ContactNote, "The note"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Change a note's content (its author, or an administrator)",
  description:
    "Only the note's author or an administrator of the account may change it (Chatwoot lets any agent); anyone " +
    "else gets 403. PATCH and PUT behave alike.",
  middleware: member,
  request: { params: s.ContactNoteParams, body: body(s.ContactNoteBody, { wrap: "note" }) },
  responses: { 200: json(s.ContactNote, "The note"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete a note (its author, or an administrator)",
  description: "Only the note's author or an administrator of the account may delete it; anyone else gets 403.",
  middleware: member,
  request: { params: s.ContactNoteParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});
