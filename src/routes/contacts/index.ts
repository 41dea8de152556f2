import { createRouter } from "../openapi";
import * as handlers from "./contacts.handlers";
import * as routes from "./contacts.routes";

// `search` is registered before `show` so /contacts/search is not read as an id.
export const contactsRouter = createRouter()
  .openapi(routes.search, handlers.search)
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.show, handlers.show)
  .openapi(routes.update, handlers.update)
  .openapi(routes.patch, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.conversations, handlers.conversations)
  .openapi(routes.contactInboxes, handlers.contactInboxes)
  .openapi(routes.createContactInbox, handlers.createContactInbox);
