import { createRouter } from "../openapi";
import * as handlers from "./contact-notes.handlers";
import * as routes from "./contact-notes.routes";

export const contactNotesRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.show, handlers.show)
  .openapi(routes.update, handlers.update)
  .openapi(routes.put, handlers.update)
  .openapi(routes.remove, handlers.remove);
