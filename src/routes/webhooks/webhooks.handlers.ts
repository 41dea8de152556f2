import type { RouteHandler } from "@hono/zod-openapi";
import { EVENT_NAMES } from "../../events/registry";
import { parseBody } from "../../lib/body";
import type { AppEnv } from "../../middleware/context";
import { webhook } from "../../serializers/webhook";
import * as webhooks from "../../services/webhooks";
import { WebhookCreateBody, WebhookUpdateBody } from "./webhooks.schemas";
import type * as routes from "./webhooks.routes";

type Handler<R extends keyof typeof routes> = RouteHandler<(typeof routes)[R], AppEnv>;
type Vars = { var: AppEnv["Variables"] };

const scope = (c: Vars): webhooks.Scope => ({ db: c.var.db, accountId: c.var.principal.account!.id });
const payload = (r: webhooks.WebhookWithInbox) => ({ payload: { webhook: webhook(r.webhook, r.inbox) } });
// Rails wraps the controller's JSON params as `webhook`.
const WRAP = "webhook";

export const events: Handler<"events"> = async (c) => c.json({ payload: [...EVENT_NAMES] }, 200);

export const list: Handler<"list"> = async (c) => {
  const rows = await webhooks.listWebhooks(scope(c));
  return c.json({ payload: { webhooks: rows.map((r) => webhook(r.webhook, r.inbox)) } }, 200);
};

export const create: Handler<"create"> = async (c) => {
  const input = await parseBody(c, WebhookCreateBody, WRAP);
  return c.json(payload(await webhooks.createWebhook(scope(c), input, c.env)), 200);
};

export const update: Handler<"update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = await parseBody(c, WebhookUpdateBody, WRAP);
  return c.json(payload(await webhooks.updateWebhook(scope(c), id, input, c.env)), 200);
};

export const remove: Handler<"remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await webhooks.deleteWebhook(scope(c), id);
  return c.json({ message: "Webhook deleted" }, 200);
};

export const resetSecret: Handler<"resetSecret"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(payload(await webhooks.resetWebhookSecret(scope(c), id)), 200);
};
