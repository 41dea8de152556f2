import { createRouter } from "../openapi";
import * as handlers from "./contact-merge.handlers";
import * as routes from "./contact-merge.routes";

export const contactMergeRouter = createRouter().openapi(routes.merge, handlers.merge);
