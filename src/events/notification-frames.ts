import { NOTIFICATION_TYPES, type NotificationType } from "../db/schema";
import { type NotificationFields, notification } from "../serializers/notification";
import type { UserPushData } from "../serializers/user";
import type { z } from "@hono/zod-openapi";
import type { FrameRenderer } from "./frames";
import type { EventHead } from "./load";

/**
 * What a notification event records in `data` (services/notifications.ts writes it in SQL, in the
 * batch that changes the row): the row's fields, its agent as push data, and the agent's counts
 * right after the change.
 */
type Recorded = {
  notification?: {
    id?: unknown;
    account_id?: unknown;
    notification_type?: unknown;
    read_at?: unknown;
    snoozed_until?: unknown;
    created_at?: unknown;
  };
  user?: z.infer<typeof UserPushData>;
  unread_count?: unknown;
  count?: unknown;
};

const num = (v: unknown) => (typeof v === "number" ? v : null);

function fieldsOf(e: EventHead): NotificationFields | null {
  const n = (e.data as Recorded).notification;
  const id = num(n?.id);
  const type = n?.notification_type as NotificationType;
  if (!n || id === null || !NOTIFICATION_TYPES.includes(type)) return null;
  return {
    id,
    accountId: num(n.account_id) ?? e.accountId,
    notificationType: type,
    readAt: num(n.read_at),
    snoozedUntil: num(n.snoozed_until),
    createdAt: num(n.created_at) ?? e.createdAt,
  };
}

const counts = (e: EventHead) => {
  const d = e.data as Recorded;
  return { unread_count: num(d.unread_count) ?? 0, count: num(d.count) ?? 0 };
};

/**
 * `notification.created` / `notification.updated`, as Chatwoot's ActionCable sends them:
 * `{notification, unread_count, count}`, the notification as the notifications API shows it (its
 * conversation and message as they are now).
 */
export const notificationFrame: FrameRenderer = (e, { view, message }, _audience, links) => {
  const fields = fieldsOf(e);
  const user = (e.data as Recorded).user;
  if (!fields || !user || !view) return null;
  return { notification: notification(fields, { view, message, user, links }), ...counts(e) };
};

/** `notification.deleted`: `{notification: {id}, unread_count, count}`. */
export const notificationGoneFrame: FrameRenderer = (e) => {
  const id = num((e.data as Recorded).notification?.id);
  return id === null ? null : { notification: { id }, ...counts(e) };
};
