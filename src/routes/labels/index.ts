import { createRouter } from "../openapi";
import * as handlers from "./labels.handlers";
import * as routes from "./labels.routes";

/** Account label definitions, and the labels a contact carries (`/contacts/{id}/labels`). */
export const labelsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.show, handlers.show)
  .openapi(routes.update, handlers.update)
  .openapi(routes.put, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.contactList, handlers.contactList)
  .openapi(routes.contactSet, handlers.contactSet);
