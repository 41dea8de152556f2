import { authenticate, type Load, pathId } from "../../middleware/auth";
import {
  type NotificationWithSubjects,
  notificationPreload,
  preloadedNotification,
} from "../../services/notifications";

/** The path's notification, the caller's own, loaded with the token check; 404 otherwise. */
const notification: Load<{ notification: NotificationWithSubjects }> = {
  queries: (c, callerId) => [...notificationPreload(c.var.db, pathId(c, "account_id"), pathId(c, "id"), callerId)],
  apply: (rows) => ({ notification: preloadedNotification(rows) }),
};

export const withNotification = authenticate({ account: true, load: notification });
