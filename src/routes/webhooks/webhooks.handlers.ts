import type { AppRouteHandler } from "../openapi";
import { EVENT_NAMES } from "../../events/registry";
import { parseBody } from "../../lib/body";
import type { AppEnv } from "../../middleware/context";
import { webhook } from "../../serializers/webhook";
import * as webhooks from "../../services/webhooks";
import { WebhookCreateBody, WebhookUpdateBody } from "./webhooks.schemas";
import type * as routes from "./webhooks.routes";

type Vars = { var: AppEnv["Variables"] };

const scope = (c: Vars): webhooks.Scope => ({ db: c.var.db, accountId: c.var.principal.account!.id });
const payload = (r: webhooks.WebhookWithInbox) => ({ payload: { webhook: webhook(r.webhook, r.inbox) } });
// Rails wraps the controller's JSON params as `webhook`.
const WRAP = "webhook";

export const events: AppRouteHandler<typeof routes, "events"> = async (c) => c.json({ payload: [...EVENT_NAMES] }, 200);

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const rows = await webhooks.listWebhooks(scope(c));
  return c.json({ payload: { webhooks: rows.map((r) => webhook(r.webhook, r.inbox)) } }, 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = await parseBody(c, WebhookCreateBody, WRAP);
  return c.json(payload(await webhooks.createWebhook(scope(c), input, c.env)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = await parseBody(c, WebhookUpdateBody, WRAP);
  return c.json(payload(await webhooks.updateWebhook(scope(c), id, input, c.env)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await webhooks.deleteWebhook(scope(c), id);
  return c.json({ message: "Webhook deleted" }, 200);
};

export const resetSecret: AppRouteHandler<typeof routes, "resetSecret"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(payload(await webhooks.resetWebhookSecret(scope(c), id)), 200);
};
