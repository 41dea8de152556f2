import { createRouter } from "../openapi";
import * as handlers from "./inbox-members.handlers";
import * as routes from "./inbox-members.routes";

export const inboxMembersRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove);
