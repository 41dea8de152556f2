import { createRouter } from "../openapi";
import * as handlers from "./inboxes.handlers";
import * as routes from "./inboxes.routes";

export const inboxesRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.show, handlers.show)
  .openapi(routes.update, handlers.update)
  .openapi(routes.put, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.resetSecret, handlers.resetSecret);
