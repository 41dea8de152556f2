import { createRouter } from "../openapi";
import * as h from "./messages.handlers";
import * as r from "./messages.routes";

export const messagesRouter = createRouter()
  .openapi(r.list, h.list)
  .openapi(r.create, h.create)
  .openapi(r.remove, h.remove)
  .openapi(r.updateStatus, h.updateStatus)
  .openapi(r.retry, h.retry);
