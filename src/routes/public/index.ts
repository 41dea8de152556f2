import { createRouter } from "../openapi";
import * as h from "./public.handlers";
import * as r from "./public.routes";

/** Chatwoot's client API for API inboxes: the inbox identifier and the session's source_id are the credentials. */
export const publicRouter = createRouter()
  .openapi(r.showInbox, h.showInbox)
  .openapi(r.createContact, h.createContact)
  .openapi(r.showContact, h.showContact)
  .openapi(r.updateContact, h.updateContact)
  .openapi(r.replaceContact, h.updateContact)
  .openapi(r.listConversations, h.listConversations)
  .openapi(r.createConversation, h.createConversation)
  .openapi(r.showConversation, h.showConversation)
  .openapi(r.resolveConversation, h.resolveConversation)
  .openapi(r.toggleTyping, h.toggleTyping)
  .openapi(r.updateLastSeen, h.updateLastSeen)
  .openapi(r.listMessages, h.listMessages)
  .openapi(r.createMessage, h.createMessage)
  .openapi(r.submitMessage, h.submitMessage)
  .openapi(r.replaceSubmitMessage, h.submitMessage);
