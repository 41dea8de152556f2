import type { AppRouteHandler } from "../openapi";
import type { AgentContext } from "../../services/context";
import { unprocessable } from "../../lib/errors";
import { delivery } from "../../serializers/delivery";
import * as deliveries from "../../services/deliveries";
import type * as routes from "./deliveries.routes";

type Vars = { var: { ctx: AgentContext } };

const toJson = (r: deliveries.DeliveryWithEvent) => delivery(r.delivery, r.event);

type Query = { page?: number; after?: number };

async function page(c: Vars, target: deliveries.DeliveryTarget, q: Query) {
  if (q.page !== undefined && q.after !== undefined)
    throw unprocessable("Give page or after, not both", [{ field: "after", message: "cannot be used with page" }]);
  const current = q.page ?? 1;
  const result = await deliveries.listDeliveries(
    c.var.ctx,
    target,
    q.after !== undefined ? { after: q.after } : current,
  );
  const cursor = result.nextAfter === undefined ? {} : { next_after: result.nextAfter };
  return {
    payload: result.deliveries.map(toJson),
    meta: { current_page: current, has_more: result.hasMore, ...cursor },
  };
}

export const webhookDeliveries: AppRouteHandler<typeof routes, "webhookDeliveries"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await page(c, { webhookId: id }, c.req.valid("query")), 200);
};

export const inboxDeliveries: AppRouteHandler<typeof routes, "inboxDeliveries"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await page(c, { inboxId: id }, c.req.valid("query")), 200);
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
