import { createRouter } from "../openapi";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";

export const authRouter = createRouter()
  .openapi(routes.signIn, handlers.signIn)
  .openapi(routes.validateToken, handlers.validateToken)
  .openapi(routes.signOut, handlers.signOut)
  .openapi(routes.setPassword, handlers.setPassword);
