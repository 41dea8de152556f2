import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zId, zInt, zList, zPage, zQuery } from "../../lib/zod";
import { Notification } from "../../serializers/notification";

export const NotificationParams = accountChild("id", "Notification id");

const includes = zList(z.enum(["read", "snoozed"])).pipe(z.array(z.enum(["read", "snoozed"])).max(2));

export const NotificationListQuery = z.object({
  page: zPage,
  includes: zQuery(includes).describe("Also list read and/or snoozed notifications (by default: unread, unsnoozed)"),
  "includes[]": zQuery(includes).describe("The same, as Rails clients send it (`includes[]=read&includes[]=snoozed`)"),
  sort_order: zQuery(z.enum(["asc", "desc"])).describe("By creation; newest first by default"),
});

/** `includes` and `includes[]` together. */
export const includesOf = (q: z.output<typeof NotificationListQuery>) => [
  ...new Set([...(q.includes ?? []), ...(q["includes[]"] ?? [])]),
];

export const NotificationList = z
  .object({
    data: z.object({
      meta: z.object({
        unread_count: z.number().int().describe("Unread notifications among those listed"),
        count: z.number().int().describe("Notifications listed (every page)"),
        current_page: z.number().int(),
      }),
      payload: z.array(Notification),
    }),
  })
  .openapi("NotificationList");

export const UnreadCount = z.number().int().openapi("NotificationUnreadCount");

export const ReadAllBody = z
  .object({
    primary_actor_type: z.enum(["Conversation"]).optional(),
    primary_actor_id: zId.optional().describe("A conversation's display id: only its notifications are marked read"),
  })
  .openapi("NotificationsReadAll");

export const DestroyAllBody = z
  .object({ type: z.enum(["read", "all"]).optional().describe("`read`: only read ones; default: all") })
  .openapi("NotificationsDestroyAll");

export const SnoozeBody = z
  .object({ snoozed_until: zInt.pipe(z.number().int().positive()).describe("Unix seconds") })
  .openapi("NotificationSnooze");

export const Counts = z
  .object({ unread_count: z.number().int().describe("The caller's unread notifications after the change") })
  .openapi("NotificationCounts");

export { Notification };
