import { contactsRouter } from "./contacts";
import { healthRouter } from "./health";

/** Every router the app mounts, in one list. */
export const routers = [healthRouter, contactsRouter];
