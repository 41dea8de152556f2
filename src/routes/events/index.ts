import { createRouter } from "../openapi";
import * as h from "./events.handlers";
import * as r from "./events.routes";

export const eventsRouter = createRouter().openapi(r.list, h.list).openapi(r.show, h.show);
