import { createRouter } from "../openapi";
import * as deliveryHandlers from "./deliveries.handlers";
import * as deliveryRoutes from "./deliveries.routes";
import * as handlers from "./webhooks.handlers";
import * as routes from "./webhooks.routes";

export const webhooksRouter = createRouter()
  // Before the `{id}` routes, so `events` is never read as an id.
  .openapi(routes.events, handlers.events)
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.update, handlers.update)
  .openapi(routes.put, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.resetSecret, handlers.resetSecret)
  .openapi(deliveryRoutes.webhookDeliveries, deliveryHandlers.webhookDeliveries)
  .openapi(deliveryRoutes.webhookRedeliver, deliveryHandlers.webhookRedeliver)
  .openapi(deliveryRoutes.inboxDeliveries, deliveryHandlers.inboxDeliveries)
  .openapi(deliveryRoutes.inboxRedeliver, deliveryHandlers.inboxRedeliver);
