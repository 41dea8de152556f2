import type { AppRouteHandler } from "../openapi";
import { label } from "../../serializers/label";
import * as labels from "../../services/labels";
import type * as routes from "./labels.routes";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  return c.json({ payload: (await labels.listLabels(c.var.ctx)).map(label) }, 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  return c.json(label(await labels.createLabel(c.var.ctx, input)), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(label(await labels.showLabel(c.var.ctx, id)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  return c.json(label(await labels.updateLabel(c.var.ctx, id, input)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await labels.deleteLabel(c.var.ctx, id);
  return c.json({ message: "Label deleted" }, 200);
};

export const contactList: AppRouteHandler<typeof routes, "contactList"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json({ payload: await labels.contactLabelList(c.var.ctx, id) }, 200);
};

export const contactSet: AppRouteHandler<typeof routes, "contactSet"> = async (c) => {
  const { id } = c.req.valid("param");
  const { labels: titles } = c.req.valid("json");
  return c.json({ payload: await labels.setContactLabels(c.var.ctx, id, titles) }, 200);
};
