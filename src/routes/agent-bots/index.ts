import { createRouter } from "../openapi";
import * as handlers from "./agent-bots.handlers";
import * as routes from "./agent-bots.routes";

export const agentBotsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.show, handlers.show)
  .openapi(routes.update, handlers.update)
  .openapi(routes.put, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.resetAccessToken, handlers.resetAccessToken)
  .openapi(routes.resetSecret, handlers.resetSecret)
  .openapi(routes.setInboxBot, handlers.setInboxBot)
  .openapi(routes.inboxBot, handlers.inboxBot);
