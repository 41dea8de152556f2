import type { AppRouteHandler } from "../openapi";
import { inbox } from "../../serializers/inbox";
import { viewerOf } from "../../services/auth";
import * as inboxes from "../../services/inboxes";
import type * as routes from "./inboxes.routes";

const asAdmin = { admin: true };

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const v = viewerOf(c.var.ctx.actor);
  const rows = await inboxes.listInboxes(c.var.ctx);
  return c.json({ payload: rows.map((r) => inbox(r, v)) }, 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(inbox(await inboxes.showInbox(c.var.ctx, id), viewerOf(c.var.ctx.actor)), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  const row = await inboxes.createInbox(c.var.ctx, { ...inboxes.inboxSettings(input, c.env), name: input.name });
  return c.json(inbox(row, asAdmin), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const row = await inboxes.updateInbox(c.var.ctx, id, inboxes.inboxSettings(input, c.env));
  return c.json(inbox(row, asAdmin), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await inboxes.deleteInbox(c.var.ctx, id);
  return c.json({ message: "Inbox deleted" }, 200);
};

export const resetSecret: AppRouteHandler<typeof routes, "resetSecret"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(inbox(await inboxes.resetInboxSecret(c.var.ctx, id), asAdmin), 200);
};
