import type { AppRouteHandler } from "../openapi";
import { agent } from "../../serializers/user";
import type { AgentRow } from "../../services/agents";
import * as members from "../../services/inbox-members";
import type * as routes from "./inbox-members.routes";
import { viewerOf } from "../../services/auth";

const payload = (rows: AgentRow[]) => ({ payload: rows.map((r) => agent(r.user, r.membership)) });

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const { inbox_id } = c.req.valid("param");
  const viewer = viewerOf(c.var.principal);
  return c.json(payload(await members.listInboxMembers(c.var.ctx, viewer, inbox_id)), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const { inbox_id, user_ids } = c.req.valid("json");
  return c.json(payload(await members.addToInbox(c.var.ctx, inbox_id, user_ids)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { inbox_id, user_ids } = c.req.valid("json");
  return c.json(payload(await members.setInboxMembers(c.var.ctx, inbox_id, user_ids)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { inbox_id, user_ids } = c.req.valid("json");
  return c.json(payload(await members.removeFromInbox(c.var.ctx, inbox_id, user_ids)), 200);
};
