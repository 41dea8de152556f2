import { createRouter } from "../openapi";
import * as h from "./notifications.handlers";
import * as r from "./notifications.routes";

// The fixed paths (`unread_count`, `read_all`, `destroy_all`) before `{id}`, so none is read as an id.
export const notificationsRouter = createRouter()
  .openapi(r.list, h.list)
  .openapi(r.unreadCount, h.unreadCount)
  .openapi(r.readAll, h.readAll)
  .openapi(r.destroyAll, h.destroyAll)
  .openapi(r.markRead, h.markRead)
  .openapi(r.markUnread, h.markUnread)
  .openapi(r.snooze, h.snooze)
  .openapi(r.remove, h.remove);
