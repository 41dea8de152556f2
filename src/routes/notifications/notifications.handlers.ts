import type { AppRouteHandler } from "../openapi";
import type { AccountEnv } from "../../middleware/auth";
import { notification } from "../../serializers/notification";
import { userPushData } from "../../serializers/user";
import type { NotificationRow } from "../../db/schema";
import * as notifications from "../../services/notifications";
import { includesOf } from "./notifications.schemas";
import type * as routes from "./notifications.routes";
import { responseLinks } from "../attachments/links";

type Vars = { env: Env; var: AccountEnv<{ notification: notifications.NotificationWithSubjects }>["Variables"] };
type Caller = { env: Env; var: Pick<Vars["var"], "principal" | "ctx"> };

/** The notification's JSON; its agent is always the caller. */
const json = (c: Caller, n: notifications.NotificationWithSubjects) => {
  const { principal } = c.var;
  const user = userPushData(principal.user, principal.membership?.availability);
  return notification(n.row, { view: n.view, message: n.message, user, links: responseLinks(c) });
};

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const q = c.req.valid("query");
  const result = await notifications.listNotifications(c.var.ctx, { ...q, includes: includesOf(q) });
  return c.json({ data: { meta: result.meta, payload: result.notifications.map((n) => json(c, n)) } }, 200);
};

export const unreadCount: AppRouteHandler<typeof routes, "unreadCount"> = async (c) =>
  c.json(await notifications.unreadCount(c.var.ctx), 200);

export const readAll: AppRouteHandler<typeof routes, "readAll"> = async (c) => {
  const input = c.req.valid("json");
  return c.json({ unread_count: await notifications.readAll(c.var.ctx, input.primary_actor_id) }, 200);
};

export const destroyAll: AppRouteHandler<typeof routes, "destroyAll"> = async (c) => {
  const input = c.req.valid("json");
  return c.json({ unread_count: await notifications.removeAll(c.var.ctx, input.type ?? "all") }, 200);
};

/** The path's notification changed: answered with its conversation and message as loaded. */
const changed = (c: Vars, row: NotificationRow) => json(c, { ...c.var.notification, row });

export const markRead: AppRouteHandler<typeof routes, "markRead"> = async (c) => {
  const n = c.var.notification.row;
  const row = await notifications.updateNotification(c.var.ctx, n, { readAt: n.readAt ?? Date.now() });
  return c.json(changed(c, row), 200);
};

export const markUnread: AppRouteHandler<typeof routes, "markUnread"> = async (c) => {
  const row = await notifications.updateNotification(c.var.ctx, c.var.notification.row, { readAt: null });
  return c.json(changed(c, row), 200);
};

export const snooze: AppRouteHandler<typeof routes, "snooze"> = async (c) => {
  const { snoozed_until } = c.req.valid("json");
  const row = await notifications.updateNotification(c.var.ctx, c.var.notification.row, {
    snoozedUntil: snoozed_until * 1000,
  });
  return c.json(changed(c, row), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  await notifications.removeNotification(c.var.ctx, c.var.notification.row);
  return c.json({ message: "Notification deleted" }, 200);
};
