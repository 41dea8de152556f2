import { createRouter } from "../openapi";
import * as h from "./conversations.handlers";
import * as r from "./conversations.routes";

// `meta` is registered before the `{conversation_id}` routes so it is not read as an id.
export const conversationsRouter = createRouter()
  .openapi(r.meta, h.meta)
  .openapi(r.list, h.list)
  .openapi(r.filter, h.filter)
  .openapi(r.create, h.create)
  .openapi(r.show, h.show)
  .openapi(r.update, h.update)
  .openapi(r.toggleStatus, h.toggleStatus)
  .openapi(r.togglePriority, h.togglePriority)
  .openapi(r.updateLastSeen, h.updateLastSeen)
  .openapi(r.assignments, h.assignments)
  .openapi(r.labels, h.labels)
  .openapi(r.setLabels, h.setLabels)
  .openapi(r.customAttributes, h.customAttributes)
  .openapi(r.destroyCustomAttributes, h.destroyCustomAttributes)
  .openapi(r.toggleTyping, h.toggleTyping);
