import type { AppRouteHandler } from "../openapi";
import { EVENT_NAMES } from "../../events/registry";
import { webhook } from "../../serializers/webhook";
import * as webhooks from "../../services/webhooks";
import type * as routes from "./webhooks.routes";

const payload = (r: webhooks.WebhookWithInbox) => ({ payload: { webhook: webhook(r.webhook, r.inbox) } });

export const events: AppRouteHandler<typeof routes, "events"> = async (c) => c.json({ payload: [...EVENT_NAMES] }, 200);

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const rows = await webhooks.listWebhooks(c.var.ctx);
  return c.json({ payload: { webhooks: rows.map((r) => webhook(r.webhook, r.inbox)) } }, 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  return c.json(payload(await webhooks.createWebhook(c.var.ctx, input, c.env)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  return c.json(payload(await webhooks.updateWebhook(c.var.ctx, id, input, c.env)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await webhooks.deleteWebhook(c.var.ctx, id);
  return c.json({ message: "Webhook deleted" }, 200);
};

export const resetSecret: AppRouteHandler<typeof routes, "resetSecret"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(payload(await webhooks.resetWebhookSecret(c.var.ctx, id)), 200);
};
