import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams, ConversationParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { withConversation, withConversationForBots, withCreationReads } from "./preload";
import * as s from "./conversations.schemas";
import * as f from "./filter.schemas";

const base = "/api/v1/accounts/{account_id}/conversations";
const one = `${base}/{conversation_id}`;
const tags = ["Conversations"];
const member = authenticate({ account: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "List conversations (25 a page) with Chatwoot's four counts",
  description:
    "Any agent of the account may call this; agents see only conversations of the inboxes they belong to, " +
    "administrators all. `status` defaults to `open`; the counts ignore `assignee_type`, the page honours it.",
  middleware: member,
  request: { params: AccountParams, query: s.ConversationListQuery },
  responses: { 200: json(s.ConversationList, "Conversations and counts"), ...errors },
});

export const meta = createRoute({
  method: "get",
  path: `${base}/meta`,
  tags,
  summary: "The four counts for the same filters",
  description:
    "Any agent of the account may call this, with the same visibility as the list: agents count only conversations " +
    "of their inboxes, administrators all.",
  middleware: member,
  request: { params: AccountParams, query: s.ConversationListQuery },
  responses: { 200: json(s.ConversationMeta, "Counts"), ...errors },
});

export const filter = createRoute({
  method: "post",
  path: `${base}/filter`,
  tags,
  summary: "Filter conversations by conditions (Chatwoot's advanced filter), 25 a page",
  description:
    "Any agent of the account, with the list's visibility: agents see only conversations of the inboxes they " +
    "belong to. Each condition is `{attribute_key, filter_operator, values, query_operator}`; `query_operator` " +
    "(AND or OR) joins it to the next, AND binding tighter. An unknown attribute or operator, or a value the " +
    "attribute cannot take, answers 422. No `data` wrapper, as in Chatwoot.",
  middleware: member,
  request: { params: AccountParams, query: f.ConversationFilterQuery, body: body(f.ConversationFilterBody) },
  responses: { 200: json(f.ConversationFilterResult, "Conversations and counts"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Create a conversation from a source_id, or an inbox_id and contact_id",
  description:
    "Any agent of the account, in an inbox they belong to (administrators: any inbox; others get 404). Emits " +
    "`conversation_created`, with an optional first `message`; an open conversation without an assignee is routed. " +
    "With the inbox's `lock_to_single_conversation`, the contact's latest conversation is returned instead.",
  middleware: withCreationReads,
  request: { params: AccountParams, body: body(s.ConversationCreateBody, { wrap: "conversation" }) },
  responses: { 200: json(s.Conversation, "The new conversation"), ...errors },
});

export const show = createRoute({
  method: "get",
  path: one,
  tags,
  summary: "Show a conversation",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404); " +
    "`conversation_id` is the account's display id." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams },
  responses: { 200: json(s.Conversation, "The conversation"), ...errors },
});

export const update = createRoute({
  method: "patch",
  path: one,
  tags,
  summary: "Update a conversation's priority",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). A " +
    "changed priority adds an activity message and emits `conversation_updated`." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams, body: body(s.PriorityBody, { wrap: "conversation" }) },
  responses: { 200: json(s.Conversation, "The conversation"), ...errors },
});

export const toggleStatus = createRoute({
  method: "post",
  path: `${one}/toggle_status`,
  tags,
  summary: "Set the status (or toggle open ↔ resolved)",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). A " +
    "changed status adds an activity message and emits `conversation_status_changed` and `conversation_updated`; " +
    "`snoozed_until` counts only with `snoozed`." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams, body: body(s.ToggleStatusBody, { wrap: "conversation", multipart: true }) },
  responses: { 200: json(s.ToggleStatusResult, "The new status"), ...errors },
});

export const togglePriority = createRoute({
  method: "post",
  path: `${one}/toggle_priority`,
  tags,
  summary: "Set or clear the priority",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). Same " +
    "effect as PATCH, answering an empty object." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams, body: body(s.PriorityBody, { wrap: "conversation" }) },
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
  middleware: withConversation,
  request: { params: ConversationParams },
  responses: { 200: json(s.LastSeen, "Marked read"), ...errors },
});

export const assignments = createRoute({
  method: "post",
  path: `${one}/assignments`,
  tags,
  summary: "Assign an agent (assignee_id, null to unassign) or a team (team_id, 0 to clear)",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). The " +
    "agent or team must be of the account (404 otherwise). A change adds an activity message and emits " +
    "`conversation_updated`." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams, body: body(s.AssignmentBody, { wrap: "assignment" }) },
  responses: { 200: json(s.AssignmentResult, "The agent, the team, or null"), ...errors },
});

export const labels = createRoute({
  method: "get",
  path: `${one}/labels`,
  tags,
  summary: "The conversation's labels",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). " +
    "Answers the label names in `payload`." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams },
  responses: { 200: json(s.LabelsResult, "Labels"), ...errors },
});

export const setLabels = createRoute({
  method: "post",
  path: `${one}/labels`,
  tags,
  summary: "Replace the conversation's labels",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). " +
    "Added and removed labels are recorded as activity messages and emit `conversation_updated`; returns the new " +
    "list." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams, body: body(s.LabelsBody) },
  responses: { 200: json(s.LabelsResult, "Labels"), ...errors },
});

export const customAttributes = createRoute({
  method: "post",
  path: `${one}/custom_attributes`,
  tags,
  summary: "Set the conversation's custom attributes",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). " +
    "`custom_attributes` replaces the stored object (emits `conversation_updated` when it changed)." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams, body: body(s.CustomAttributesBody) },
  responses: { 200: json(s.CustomAttributesResult, "Custom attributes"), ...errors },
});

export const destroyCustomAttributes = createRoute({
  method: "post",
  path: `${one}/destroy_custom_attributes`,
  tags,
  summary: "Remove custom attributes by key",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). The " +
    "keys in `custom_attributes` are removed; returns what remains and emits `conversation_updated` when anything " +
    "changed.",
  middleware: withConversation,
  request: { params: ConversationParams, body: body(s.DestroyCustomAttributesBody) },
  responses: { 200: json(s.CustomAttributesResult, "Custom attributes"), ...errors },
});

export const toggleTyping = createRoute({
  method: "post",
  path: `${one}/toggle_typing_status`,
  tags,
  summary: "Report that the agent started or stopped typing (sent as conversation_typing_on/off)",
  description:
    "Members of the conversation's inbox and the account's administrators may call this (anyone else gets 404). " +
    "Nothing is stored; with `is_private` the event is marked private." +
    " An agent bot attached to the inbox may call this too, with its own access token.",
  middleware: withConversationForBots,
  request: { params: ConversationParams, body: body(s.TypingBody, { multipart: true }) },
  responses: { 200: json(s.Empty, "Done"), ...errors },
});
