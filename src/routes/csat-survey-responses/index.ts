import { createRouter } from "../openapi";
import * as handlers from "./csat.handlers";
import * as routes from "./csat.routes";

export const csatSurveyResponsesRouter = createRouter()
  .openapi(routes.metrics, handlers.metrics)
  .openapi(routes.list, handlers.list);
