import { createRouter } from "../openapi";
import * as handlers from "./teams.handlers";
import * as routes from "./teams.routes";

export const teamsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.show, handlers.show)
  .openapi(routes.update, handlers.update)
  .openapi(routes.put, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.listMembers, handlers.listMembers)
  .openapi(routes.addMembers, handlers.addMembers)
  .openapi(routes.setMembers, handlers.setMembers)
  .openapi(routes.removeMembers, handlers.removeMembers);
