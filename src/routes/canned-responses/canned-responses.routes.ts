import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Deleted } from "../../lib/schemas";
import * as s from "./canned-responses.schemas";

const base = "/api/v1/accounts/{account_id}/canned_responses";
const tags = ["Canned responses"];
/** Chatwoot's controller has no policy: every agent of the account manages its canned responses. */
const member = authenticate({ account: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The account's canned responses (a bare array), optionally searched",
  description:
    "Any agent of the account may call this. Without `search`, all of them by id. With `search`, those whose short " +
    "code or content contains it (ignoring case): short codes starting with it first, then other short-code " +
    "matches, then content matches.",
  middleware: member,
  request: { params: AccountParams, query: s.CannedResponseListQuery },
  responses: { 200: json(s.CannedResponseList, "Canned responses"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a canned response",
  description:
    "Any agent of the account may call this. `short_code` is unique in the account: one already taken answers 422.",
  middleware: member,
  request: { params: AccountParams, body: body(s.CannedResponseCreateBody, { wrap: "canned_response" }) },
  responses: { 200: json(s.CannedResponse, "The canned response"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update a canned response",
  description:
    "Any agent of the account may call this; PATCH and PUT change only the fields sent. A short code already taken " +
    "answers 422; another account's id answers 404.",
  middleware: member,
  request: { params: s.CannedResponseParams, body: body(s.CannedResponseUpdateBody, { wrap: "canned_response" }) },
  responses: { 200: json(s.CannedResponse, "The canned response"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Delete a canned response",
  description: "Any agent of the account may call this; another account's id answers 404.",
  middleware: member,
  request: { params: s.CannedResponseParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});
