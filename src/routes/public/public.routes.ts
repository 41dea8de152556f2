import { createRoute, z } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { errors } from "../responses";
import { PublicContact, PublicConversation, PublicInbox, PublicMessage } from "../../serializers/public";
import * as p from "./preload";
import * as s from "./public.schemas";

const inbox = "/public/api/v1/inboxes/{inbox_identifier}";
const contact = `${inbox}/contacts/{source_id}`;
const conversation = `${contact}/conversations/{conversation_id}`;
const tags = ["Client API"];
const { 403: _noRoles, 401: _token, ...common } = errors;
const publicErrors = {
  ...common,
  401: {
    ...errors[401],
    description: "hmac_mandatory: identifier_hash missing or wrong, or the session is not verified",
  },
  429: { ...errors[422], description: "Too many requests from this client for this inbox; see Retry-After" },
};
const ok = { 200: { description: "Done (empty body, as Chatwoot)" } };
/** No token: the inbox identifier and the session's source_id are the credentials. */
const open = { tags, security: [] };

export const showInbox = createRoute({
  ...open,
  method: "get",
  path: inbox,
  summary: "The inbox: name, identity validation, working hours",
  description:
    "Client API: no token, the inbox identifier is the credential. An unknown identifier answers 404 and a " +
    "suspended account 401.",
  middleware: p.withInbox,
  request: { params: s.InboxParams },
  responses: { 200: json(PublicInbox, "The inbox"), ...publicErrors },
});

export const createContact = createRoute({
  ...open,
  method: "post",
  path: `${inbox}/contacts`,
  summary: "Create or find the contact and its session (idempotent per source_id; reuses by identifier, email, phone)",
  description:
    "Client API: no token, the inbox identifier is the credential. An existing `source_id` returns that session; " +
    "otherwise the account's contact is reused by `identifier`, then e-mail, then phone, or a new one is created " +
    "(`contact_created`). With `identifier_hash` the session is marked verified; `hmac_mandatory` requires it.",
  request: { params: s.InboxParams, body: body(s.PublicContactCreate, { wrap: "contact" }) },
  responses: { 200: json(PublicContact, "The contact with source_id and pubsub_token"), ...publicErrors },
});

export const showContact = createRoute({
  ...open,
  method: "get",
  path: contact,
  summary: "The session's contact; identifier and identifier_hash in the query verify it",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. An unknown " +
    "`source_id` answers 404; with `hmac_mandatory`, an unverified session without a valid hash answers 401.",
  middleware: p.withIdentifiedSession,
  request: { params: s.SessionParams, query: s.IdentityQuery },
  responses: { 200: json(PublicContact, "The contact"), ...publicErrors },
});

const updateContactConfig = {
  ...open,
  path: contact,
  summary: "Update the contact (identifier cannot change; identifier_hash verifies the session)",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. PATCH and PUT " +
    "alike change only the fields sent (`custom_attributes` is merged) and emit `contact_updated` when anything " +
    "changed.",
  middleware: p.withIdentifiedSession,
  request: { params: s.SessionParams, body: body(s.PublicContactUpdate, { wrap: "contact" }) },
  responses: { 200: json(PublicContact, "The contact"), ...publicErrors },
};
export const updateContact = createRoute({ ...updateContactConfig, method: "patch" });
export const replaceContact = createRoute({ ...updateContactConfig, method: "put" });

export const listConversations = createRoute({
  ...open,
  method: "get",
  path: `${contact}/conversations`,
  summary: "The session's conversations, 25 a page (X-Total-Count and Link headers), each with its latest 20 messages",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Latest activity " +
    "first; the embedded messages leave out private notes and activity messages.",
  middleware: p.withConversationPage,
  request: { params: s.SessionParams, query: s.ConversationListQuery },
  responses: { 200: json(z.array(PublicConversation), "Conversations (a bare array, as Chatwoot)"), ...publicErrors },
});

export const createConversation = createRoute({
  ...open,
  method: "post",
  path: `${contact}/conversations`,
  summary: "Open a conversation (routed to an available agent); an empty form body is fine",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Emits " +
    "`conversation_created`. With the inbox's `lock_to_single_conversation`, the session's latest conversation is " +
    "returned instead; a blocked contact's new conversation starts resolved.",
  middleware: p.withLatestConversation,
  request: { params: s.SessionParams, body: body(s.PublicConversationCreate, { wrap: "conversation" }) },
  responses: { 200: json(PublicConversation, "The conversation"), ...publicErrors },
});

export const showConversation = createRoute({
  ...open,
  method: "get",
  path: conversation,
  summary: "One of the session's conversations, with its latest 100 messages",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Another " +
    "session's conversation answers 404; private notes and activity messages are left out.",
  middleware: p.withShownConversation,
  request: { params: s.PublicConversationParams },
  responses: { 200: json(PublicConversation, "The conversation"), ...publicErrors },
});

export const resolveConversation = createRoute({
  ...open,
  method: "post",
  path: `${conversation}/toggle_status`,
  summary: "Resolve the conversation (the client API cannot reopen; writing again does)",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Resolving, in the " +
    "contact's name, adds an activity message and emits `conversation_status_changed`; an already resolved " +
    "conversation is left as it is.",
  middleware: p.withConversation,
  request: { params: s.PublicConversationParams },
  responses: { 200: json(PublicConversation, "The conversation"), ...publicErrors },
});

export const toggleTyping = createRoute({
  ...open,
  method: "post",
  path: `${conversation}/toggle_typing`,
  summary: "The contact started or stopped typing (conversation_typing_on/off to agents and webhooks)",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Nothing is " +
    "stored; another session's conversation answers 404.",
  middleware: p.withConversation,
  request: { params: s.PublicConversationParams, body: body(s.TypingBody) },
  responses: { ...ok, ...publicErrors },
});

export const updateLastSeen = createRoute({
  ...open,
  method: "post",
  path: `${conversation}/update_last_seen`,
  summary: "The contact saw the conversation: agent messages become read (message_updated each)",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Sets the " +
    "contact's last-seen time; `message_updated` is emitted for at most the newest 100 messages it marks read.",
  middleware: p.withUnread,
  request: { params: s.PublicConversationParams },
  responses: { ...ok, ...publicErrors },
});

export const listMessages = createRoute({
  ...open,
  method: "get",
  path: `${conversation}/messages`,
  summary: "Messages for the contact (no private notes or activity): the latest 20, or 20 before a message id",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Page back with " +
    "`before`, the id of the oldest message you have; another session's conversation answers 404.",
  middleware: p.withMessagePage,
  request: { params: s.PublicConversationParams, query: s.MessageListQuery },
  responses: {
    200: json(z.array(PublicMessage), "Messages, oldest first (a bare array, as Chatwoot)"),
    ...publicErrors,
  },
});

export const createMessage = createRoute({
  ...open,
  method: "post",
  path: `${conversation}/messages`,
  summary: "The contact writes (always incoming); a repeated echo_id returns the stored message",
  description: "JSON or multipart/form-data (files as attachments[]).",
  middleware: p.withConversationAndMessage,
  request: {
    params: s.PublicConversationParams,
    body: body(s.PublicMessageCreate, { wrap: "message", multipart: true }),
  },
  responses: { 200: json(PublicMessage, "The message"), ...publicErrors },
});

const submitConfig = {
  ...open,
  path: `${conversation}/messages/{message_id}`,
  summary: "Answer an interactive message (select, form, CSAT) with submitted_values",
  description:
    "Client API: no token, the inbox identifier and the contact's `source_id` are the credentials. Only agent " +
    "messages of an interactive content type take answers (422 otherwise). A CSAT survey (`input_csat`) takes " +
    "`submitted_values.csat_survey_response` `{rating: 1-5, feedback_message?}` (only it does), stored as the " +
    "survey's CSAT response (a second answer updates it) and refused after 14 days. Emits `message_updated`.",
  middleware: p.withMessage,
  request: { params: s.PublicMessageParams, body: body(s.SubmittedValuesBody, { wrap: "message" }) },
  responses: { 200: json(PublicMessage, "The message"), ...publicErrors },
};
export const submitMessage = createRoute({ ...submitConfig, method: "patch" });
export const replaceSubmitMessage = createRoute({ ...submitConfig, method: "put" });
