import { createRouter } from "../openapi";
import * as handlers from "./canned-responses.handlers";
import * as routes from "./canned-responses.routes";

export const cannedResponsesRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.update, handlers.update)
  .openapi(routes.put, handlers.update)
  .openapi(routes.remove, handlers.remove);
