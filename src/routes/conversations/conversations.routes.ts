import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams, ConversationParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { withConversation } from "./preload";
import * as s from "./conversations.schemas";

const base = "/api/v1/accounts/{account_id}/conversations";
const one = `${base}/{conversation_id}`;
const tags = ["Conversations"];
const member = authenticate({ account: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "List conversations (25 a page) with Chatwoot's four counts",
  middleware: [member],
  request: { params: AccountParams, query: s.ConversationListQuery },
  responses: { 200: json(s.ConversationList, "Conversations and counts"), ...errors },
});

export const meta = createRoute({
  method: "get",
  path: `${base}/meta`,
  tags,
  summary: "The four counts for the same filters",
  middleware: [member],
  request: { params: AccountParams, query: s.ConversationListQuery },
  responses: { 200: json(s.ConversationMeta, "Counts"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a conversation from a source_id, or an inbox_id and contact_id",
  middleware: [member],
  request: { params: AccountParams, body: body(s.ConversationCreateBody) },
  responses: { 200: json(s.Conversation, "The new conversation"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: one,
  tags,
  summary: "Show a conversation",
  middleware: [withConversation],
  request: { params: ConversationParams },
  responses: { 200: json(s.Conversation, "The conversation"), ...errors },
});

export const update = createRoute({
  method: "patch",
  path: one,
  tags,
  summary: "Update a conversation's priority",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.PriorityBody) },
  responses: { 200: json(s.Conversation, "The conversation"), ...errors },
});

export const toggleStatus = createRoute({
  method: "post",
  path: `${one}/toggle_status`,
  tags,
  summary: "Set the status (or toggle open ↔ resolved)",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.ToggleStatusBody, { multipart: true }) },
  responses: { 200: json(s.ToggleStatusResult, "The new status"), ...errors },
});

export const togglePriority = createRoute({
  method: "post",
  path: `${one}/toggle_priority`,
  tags,
  summary: "Set or clear the priority",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.PriorityBody) },
  responses: { 200: json(s.Empty, "Done"), ...errors },
});

export const updateLastSeen = createRoute({
  method: "post",
  path: `${one}/update_last_seen`,
  tags,
  summary: "Mark the conversation read (the console calls this when an agent opens it)",
  description:
    "Sets `agent_last_seen_at` (and `assignee_last_seen_at` when the caller is the assignee) to now, so " +
    "`unread_count` drops to 0. No webhook.",
  middleware: [withConversation],
  request: { params: ConversationParams },
  responses: { 200: json(s.LastSeen, "Marked read"), ...errors },
});

export const assignments = createRoute({
  method: "post",
  path: `${one}/assignments`,
  tags,
  summary: "Assign an agent (assignee_id, null to unassign) or a team (team_id, 0 to clear)",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.AssignmentBody) },
  responses: { 200: json(s.AssignmentResult, "The agent, the team, or null"), ...errors },
});

export const labels = createRoute({
  method: "get",
  path: `${one}/labels`,
  tags,
  summary: "The conversation's labels",
  middleware: [withConversation],
  request: { params: ConversationParams },
  responses: { 200: json(s.LabelsResult, "Labels"), ...errors },
});

export const setLabels = createRoute({
  method: "post",
  path: `${one}/labels`,
  tags,
  summary: "Replace the conversation's labels",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.LabelsBody) },
  responses: { 200: json(s.LabelsResult, "Labels"), ...errors },
});

export const customAttributes = createRoute({
  method: "post",
  path: `${one}/custom_attributes`,
  tags,
  summary: "Set the conversation's custom attributes",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.CustomAttributesBody) },
  responses: { 200: json(s.CustomAttributesResult, "Custom attributes"), ...errors },
});

export const destroyCustomAttributes = createRoute({
  method: "post",
  path: `${one}/destroy_custom_attributes`,
  tags,
  summary: "Remove custom attributes by key",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.DestroyCustomAttributesBody) },
  responses: { 200: json(s.CustomAttributesResult, "Custom attributes"), ...errors },
});

export const toggleTyping = createRoute({
  method: "post",
  path: `${one}/toggle_typing_status`,
  tags,
  summary: "Report that the agent started or stopped typing (sent as conversation_typing_on/off)",
  middleware: [withConversation],
  request: { params: ConversationParams, body: body(s.TypingBody, { multipart: true }) },
  responses: { 200: json(s.Empty, "Done"), ...errors },
});
