import { createRouter } from "../openapi";
import * as handlers from "./profile.handlers";
import * as routes from "./profile.routes";

export const profileRouter = createRouter()
  .openapi(routes.show, handlers.show)
  .openapi(routes.update, handlers.update)
  .openapi(routes.patch, handlers.update)
  .openapi(routes.availability, handlers.availability)
  .openapi(routes.autoOffline, handlers.autoOffline)
  .openapi(routes.resetAccessToken, handlers.resetAccessToken)
  .openapi(routes.createContactProfile, handlers.createContactProfile);
