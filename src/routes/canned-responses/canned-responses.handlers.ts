import type { AppRouteHandler } from "../openapi";
import { cannedResponse } from "../../serializers/canned-response";
import * as canned from "../../services/canned-responses";
import type * as routes from "./canned-responses.routes";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const { search } = c.req.valid("query");
  return c.json((await canned.listCannedResponses(c.var.ctx, search)).map(cannedResponse), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  return c.json(cannedResponse(await canned.createCannedResponse(c.var.ctx, input)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  return c.json(cannedResponse(await canned.updateCannedResponse(c.var.ctx, id, input)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await canned.deleteCannedResponse(c.var.ctx, id);
  return c.json({ message: "Canned response deleted" }, 200);
};
