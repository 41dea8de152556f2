import type { AppRouteHandler } from "../openapi";
import { csatSurveyResponse } from "../../serializers/csat";
import * as csat from "../../services/csat";
import { filtersOf } from "./csat.schemas";
import type * as routes from "./csat.routes";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const query = c.req.valid("query");
  const rows = await csat.listResponses(c.var.ctx, filtersOf(query), query.page ?? 1);
  return c.json(rows.map(csatSurveyResponse), 200);
};

export const metrics: AppRouteHandler<typeof routes, "metrics"> = async (c) => {
  return c.json(await csat.csatMetrics(c.var.ctx, filtersOf(c.req.valid("query"))), 200);
};
