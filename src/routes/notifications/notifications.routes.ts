import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { Deleted } from "../../lib/schemas";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { withNotification } from "./preload";
import * as s from "./notifications.schemas";

const base = "/api/v1/accounts/{account_id}/notifications";
const one = `${base}/{id}`;
const tags = ["Notifications"];
const member = authenticate({ account: true });
const own =
  "Any agent of the account, for their own notifications only: another agent's notification (or one of another " +
  "account) answers 404.";

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The caller's notifications (15 a page), newest first",
  description:
    "Any agent of the account sees their own notifications in it, never anyone else's. By default only unread, " +
    "unsnoozed ones; `includes` adds `read` and/or `snoozed` ones. `meta.count` counts every page of what is " +
    "listed, `meta.unread_count` the unread among them.",
  middleware: member,
  request: { params: AccountParams, query: s.NotificationListQuery },
  responses: { 200: json(s.NotificationList, "Notifications and counts"), ...errors },
});

export const unreadCount = createRoute({
  method: "get",
  path: `${base}/unread_count`,
  tags,
  summary: "How many of the caller's notifications are unread (a bare integer)",
  description: "Any agent of the account; snoozed notifications are not counted until their snooze ends.",
  middleware: member,
  request: { params: AccountParams },
  responses: { 200: json(s.UnreadCount, "The number of unread notifications"), ...errors },
});

export const readAll = createRoute({
  method: "post",
  path: `${base}/read_all`,
  tags,
  summary: "Mark the caller's notifications read (all, or one conversation's)",
  description:
    "Any agent of the account, for their own notifications. With `primary_actor_type=Conversation` and " +
    "`primary_actor_id` (the conversation's display id), only that conversation's. Sends no realtime event per " +
    "notification (as Chatwoot); answers the unread count left.",
  middleware: member,
  request: { params: AccountParams, body: body(s.ReadAllBody, { optional: true }) },
  responses: { 200: json(s.Counts, "Unread notifications left"), ...errors },
});

export const destroyAll = createRoute({
  method: "post",
  path: `${base}/destroy_all`,
  tags,
  summary: "Delete the caller's notifications (all, or only the read ones)",
  description: "Any agent of the account, for their own notifications; answers the unread count left.",
  middleware: member,
  request: { params: AccountParams, body: body(s.DestroyAllBody, { optional: true }) },
  responses: { 200: json(s.Counts, "Unread notifications left"), ...errors },
});

export const markRead = createRoute({
  method: "patch",
  path: one,
  tags,
  summary: "Mark a notification read",
  description: `${own} Emits \`notification.updated\` to the caller's sockets.`,
  middleware: withNotification,
  request: { params: s.NotificationParams },
  responses: { 200: json(s.Notification, "The notification"), ...errors },
});

export const markUnread = createRoute({
  method: "post",
  path: `${one}/unread`,
  tags,
  summary: "Mark a notification unread",
  description: `${own} Emits \`notification.updated\` to the caller's sockets.`,
  middleware: withNotification,
  request: { params: s.NotificationParams },
  responses: { 200: json(s.Notification, "The notification"), ...errors },
});

export const snooze = createRoute({
  method: "post",
  path: `${one}/snooze`,
  tags,
  summary: "Snooze a notification until a time (unix seconds)",
  description: `${own} A snoozed notification leaves the default list and the unread count until then.`,
  middleware: withNotification,
  request: { params: s.NotificationParams, body: body(s.SnoozeBody) },
  responses: { 200: json(s.Notification, "The notification"), ...errors },
});

export const remove = createRoute({
  method: "delete",
  path: one,
  tags,
  summary: "Delete a notification",
  description: `${own} Emits \`notification.deleted\` to the caller's sockets.`,
  middleware: withNotification,
  request: { params: s.NotificationParams },
  responses: { 200: json(Deleted, "Deleted"), ...errors },
});
