import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { ConversationParams } from "../../lib/params";
import { errors } from "../responses";
import { withConversation, withConversationAndReply, withMessage } from "../conversations/preload";
import * as s from "./messages.schemas";

const base = "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages";
const tags = ["Messages"];

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "List messages (latest 20; before/after page by message id), private notes included",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). " +
    "`after` returns up to 100 newer messages (1000 with `before` too); `meta` carries the conversation's labels, " +
    "contact, assignee and last-seen times.",
  middleware: withConversation,
  request: { params: ConversationParams, query: s.MessageListQuery },
  responses: { 200: json(s.MessageList, "Messages, oldest first"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a message: an agent reply, a private note, or (API inboxes) an incoming message",
  description:
    "Accepts JSON or multipart/form-data (booleans as strings, objects as JSON strings, files as attachments[])." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationAndReply,
  request: { params: ConversationParams, body: body(s.MessageCreateBody, { wrap: "message", multipart: true }) },
  responses: { 200: json(s.Message, "The message"), ...errors },
});

export const remove = createRoute({
  method: "delete",
  path: `${base}/{message_id}`,
  tags,
  summary: "Delete a message (its content is replaced; the record stays)",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). The " +
    "content becomes a deletion notice, `content_attributes.deleted` is set, its attachments are removed and " +
    "`message_updated` is emitted.",
  middleware: withMessage,
  request: { params: s.MessageParams },
  responses: { 200: json(s.Message, "The deleted message"), ...errors },
});

export const updateStatus = createRoute({
  method: "patch",
  path: `${base}/{message_id}`,
  tags,
  summary: "Report a message's delivery status (sent, delivered, read, failed)",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). A " +
    "status never moves backwards (a stale one is ignored); `failed` may always be set and keeps `external_error`. A " +
    "change emits `message_updated`.",
  middleware: withMessage,
  request: { params: s.MessageParams, body: body(s.MessageStatusBody, { wrap: "message", multipart: true }) },
  responses: { 200: json(s.Message, "The message"), ...errors },
});

export const retry = createRoute({
  method: "post",
  path: `${base}/{message_id}/retry`,
  tags,
  summary: "Re-send a failed message to the API inbox's webhook_url",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). Only " +
    "a `failed` message may be retried (422 otherwise): it becomes `sent`, `message_updated` is emitted and its " +
    "`message_created` goes to the inbox's webhook again: its earlier delivery is redelivered, or, if it never had " +
    "one, a new `message_created` is recorded for the inbox alone.",
  middleware: withMessage,
  request: { params: s.MessageParams },
  responses: { 200: json(s.Message, "The message, sent again"), ...errors },
});
