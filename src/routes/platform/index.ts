import { createRouter } from "../openapi";
import * as accountUsers from "./account-users.handlers";
import * as agentBots from "./agent-bots.handlers";
import * as agentBotRoutes from "./agent-bots.routes";
import * as accountUserRoutes from "./account-users.routes";
import * as accounts from "./accounts.handlers";
import * as accountRoutes from "./accounts.routes";
import * as users from "./users.handlers";
import * as userRoutes from "./users.routes";

export const platformRouter = createRouter()
  .openapi(accountRoutes.create, accounts.create)
  .openapi(accountRoutes.show, accounts.show)
  .openapi(accountRoutes.update, accounts.update)
  .openapi(accountRoutes.put, accounts.update)
  .openapi(accountRoutes.remove, accounts.remove)
  .openapi(accountUserRoutes.list, accountUsers.list)
  .openapi(accountUserRoutes.create, accountUsers.create)
  .openapi(accountUserRoutes.remove, accountUsers.remove)
  .openapi(userRoutes.create, users.create)
  .openapi(userRoutes.show, users.show)
  .openapi(userRoutes.update, users.update)
  .openapi(userRoutes.put, users.update)
  .openapi(userRoutes.remove, users.remove)
  .openapi(userRoutes.resetToken, users.resetToken)
  .openapi(agentBotRoutes.list, agentBots.list)
  .openapi(agentBotRoutes.create, agentBots.create)
  .openapi(agentBotRoutes.show, agentBots.show)
  .openapi(agentBotRoutes.update, agentBots.update)
  .openapi(agentBotRoutes.remove, agentBots.remove);

platformRouter.openAPIRegistry.registerComponent("securitySchemes", "platform_token", {
  type: "apiKey",
  in: "header",
  name: "api_access_token",
  description:
    "The operator's PLATFORM_API_TOKEN secret (also accepted as Authorization: Bearer or ?api_access_token=)",
});
