import type { AppRouteHandler } from "../openapi";
import type { AgentContext } from "../../services/context";
import { delivery } from "../../serializers/delivery";
import * as deliveries from "../../services/deliveries";
import type * as routes from "./deliveries.routes";

type Vars = { var: { ctx: AgentContext } };

const toJson = (r: deliveries.DeliveryWithEvent) => delivery(r.delivery, r.event);

async function page(c: Vars, target: deliveries.DeliveryTarget, current: number) {
  const result = await deliveries.listDeliveries(c.var.ctx, target, current);
  return { payload: result.deliveries.map(toJson), meta: { current_page: current, has_more: result.hasMore } };
}

export const webhookDeliveries: AppRouteHandler<typeof routes, "webhookDeliveries"> = async (c) => {
  const { id } = c.req.valid("param");
  const { page: current = 1 } = c.req.valid("query");
  return c.json(await page(c, { webhookId: id }, current), 200);
};

export const inboxDeliveries: AppRouteHandler<typeof routes, "inboxDeliveries"> = async (c) => {
  const { id } = c.req.valid("param");
  const { page: current = 1 } = c.req.valid("query");
  return c.json(await page(c, { inboxId: id }, current), 200);
};

export const webhookRedeliver: AppRouteHandler<typeof routes, "webhookRedeliver"> = async (c) => {
  const { id, delivery_id } = c.req.valid("param");
  const row = await deliveries.redeliverDelivery(c.var.ctx, c.env.WEBHOOK_QUEUE, { webhookId: id }, delivery_id);
  return c.json({ payload: toJson(row) }, 200);
};

export const inboxRedeliver: AppRouteHandler<typeof routes, "inboxRedeliver"> = async (c) => {
  const { id, delivery_id } = c.req.valid("param");
  const row = await deliveries.redeliverDelivery(c.var.ctx, c.env.WEBHOOK_QUEUE, { inboxId: id }, delivery_id);
  return c.json({ payload: toJson(row) }, 200);
};
