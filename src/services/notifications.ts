import { and, asc, desc, eq, inArray, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DB } from "../db/client";
import { conversations, messages, type NotificationRow, type NotificationType, notifications } from "../db/schema";
import type { EventName } from "../events/registry";
import type { Outbox } from "../events/outbox";
import { notFound } from "../lib/errors";
import type { ConversationView } from "../serializers/conversation";
import { type ConversationViewRow, conversationViews, toView } from "../views/conversations";
import { type MessageWithSender, readMessages, withSenders } from "../views/messages";
import type { AgentContext } from "./context";

export const NOTIFICATIONS_PER_PAGE = 15;

type Ref = number | SQL;

/** A notification with what its JSON shows: its conversation and the message that caused it. */
export type NotificationWithSubjects = {
  row: NotificationRow;
  view: ConversationView | null;
  message: MessageWithSender | null;
};

/** Snoozed: `snoozed_until` is still ahead (a snooze ends by itself when it passes). */
const snoozed = (now: number) =>
  sql`(${notifications.snoozedUntil} is not null and ${notifications.snoozedUntil} > ${now})`;

/** The caller's own notifications in this account: nobody else's are ever read or changed. */
const mine = (ctx: AgentContext) =>
  and(eq(notifications.userId, ctx.actor.user.id), eq(notifications.accountId, ctx.accountId))!;

export type ListFilters = { page?: number; includes?: ("read" | "snoozed")[]; sort_order?: "asc" | "desc" };

/**
 * Chatwoot's list: unread and unsnoozed by default; `includes` adds read and/or snoozed ones.
 * Newest first (`sort_order=asc` for oldest first), 15 a page.
 */
function listWhere(ctx: AgentContext, f: ListFilters, now: number): SQL {
  return and(
    mine(ctx),
    f.includes?.includes("read") ? undefined : isNull(notifications.readAt),
    f.includes?.includes("snoozed") ? undefined : sql`not ${snoozed(now)}`,
  )!;
}

/** Unread and not snoozed: what the bell counts. */
const unreadWhere = (ctx: AgentContext, now: number) =>
  and(mine(ctx), isNull(notifications.readAt), sql`not ${snoozed(now)}`)!;

/** The list's statements (one round trip): the page, its conversations and messages, and the counts. */
export function listQueries(ctx: AgentContext, f: ListFilters, now = Date.now()) {
  const { db } = ctx;
  const where = listWhere(ctx, f, now);
  const order = f.sort_order === "asc" ? asc(notifications.id) : desc(notifications.id);
  const offset = ((f.page ?? 1) - 1) * NOTIFICATIONS_PER_PAGE;
  const ids = (column: typeof notifications.conversationId | typeof notifications.messageId) =>
    db
      .select({ v: column })
      .from(notifications)
      .where(where)
      .orderBy(order)
      .limit(NOTIFICATIONS_PER_PAGE)
      .offset(offset);
  return [
    db.select().from(notifications).where(where).orderBy(order).limit(NOTIFICATIONS_PER_PAGE).offset(offset),
    conversationViews(db, inArray(conversations.id, ids(notifications.conversationId))),
    withSenders(db).where(inArray(messages.id, ids(notifications.messageId))),
    db
      .select({
        count: sql<number>`count(*)`.mapWith(Number),
        unread: sql<number>`coalesce(sum(${notifications.readAt} is null), 0)`.mapWith(Number),
      })
      .from(notifications)
      .where(where),
  ] as const;
}

const withSubjects = (rows: NotificationRow[], viewRows: ConversationViewRow[], messageRows: unknown) => {
  const views = new Map(viewRows.map((r) => [r.conversation.id, toView(r)]));
  const found = new Map(readMessages(messageRows).map((m) => [m.message.id, m]));
  return rows.map((row) => ({
    row,
    view: views.get(row.conversationId) ?? null,
    message: row.messageId === null ? null : (found.get(row.messageId) ?? null),
  }));
};

/** A page of the caller's notifications, with Chatwoot's `unread_count` and `count` of the filtered set. */
export async function listNotifications(ctx: AgentContext, f: ListFilters) {
  const [rows, viewRows, messageRows, counts] = await ctx.db.batch(listQueries(ctx, f));
  return {
    notifications: withSubjects(rows, viewRows, messageRows),
    meta: { unread_count: counts[0].unread, count: counts[0].count, current_page: f.page ?? 1 },
  };
}

const unreadQuery = (ctx: AgentContext, now: number) =>
  ctx.db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(notifications)
    .where(unreadWhere(ctx, now));

/** How many of the caller's notifications are unread (snoozed ones aside). */
export async function unreadCount(ctx: AgentContext): Promise<number> {
  const [row] = await unreadQuery(ctx, Date.now());
  return row.n;
}

/**
 * Marks the caller's unread notifications read: all of them, or those of one conversation (its
 * display id). Like Chatwoot's `update_all`, it sends no realtime event per notification.
 * Returns how many remain unread.
 */
export async function readAll(ctx: AgentContext, conversationDisplayId?: number): Promise<number> {
  const now = Date.now();
  const [, [left]] = await ctx.db.batch([
    ctx.db
      .update(notifications)
      .set({ readAt: now, updatedAt: now })
      .where(
        and(
          mine(ctx),
          isNull(notifications.readAt),
          conversationDisplayId === undefined
            ? undefined
            : eq(
                notifications.conversationId,
                sql`(select id from conversations where account_id = ${ctx.accountId}
                  and display_id = ${conversationDisplayId})`,
              ),
        ),
      ),
    unreadQuery(ctx, now),
  ]);
  return left.n;
}

/** Deletes the caller's notifications: all, or only the read ones (no event per notification). */
export async function removeAll(ctx: AgentContext, only: "read" | "all"): Promise<number> {
  const now = Date.now();
  const [, [left]] = await ctx.db.batch([
    ctx.db.delete(notifications).where(and(mine(ctx), only === "read" ? isNotNull(notifications.readAt) : undefined)),
    unreadQuery(ctx, now),
  ]);
  return left.n;
}

/**
 * The path's notification, for the token check's batch: the caller's own, in the path's account,
 * with its conversation and message. `callerId` is the credential's user, as a subquery.
 */
export function notificationPreload(db: DB, accountId: number, id: number, callerId: SQL) {
  const owned = and(
    eq(notifications.id, id),
    eq(notifications.accountId, accountId),
    eq(notifications.userId, callerId),
  );
  const column = (c: typeof notifications.conversationId | typeof notifications.messageId) =>
    sql`(select ${c} from ${notifications} where ${owned})`;
  return [
    db.select().from(notifications).where(owned),
    conversationViews(db, eq(conversations.id, column(notifications.conversationId))),
    withSenders(db).where(eq(messages.id, column(notifications.messageId))),
  ] as const;
}

/** The preload's rows; 404 when the notification is not the caller's (another's answers like a missing one). */
export function preloadedNotification(rows: unknown[]): NotificationWithSubjects {
  const [found, viewRows, messageRows] = rows as [NotificationRow[], ConversationViewRow[], unknown];
  if (!found[0]) throw notFound("Notification");
  return withSubjects(found, viewRows, messageRows)[0];
}

/** The agent's push data in SQL, recorded with a notification event (frames have no database). */
const userPushSql = (userId: Ref, accountId: Ref) => sql`(select json_object('id', u.id, 'name', u.name,
    'available_name', coalesce(nullif(u.display_name, ''), u.name), 'avatar_url', coalesce(u.avatar_url, ''),
    'type', 'user', 'availability_status', coalesce(au.availability, 'offline'),
    'thumbnail', coalesce(u.avatar_url, ''))
  from users u left join account_users au on au.user_id = u.id and au.account_id = ${accountId}
  where u.id = ${userId})`;

/** The agent's counts right after the batch's change, as Chatwoot's frames carry them. */
const countsSql = (userId: Ref, accountId: Ref, now: number) => sql`'unread_count', (select count(*)
    from notifications where user_id = ${userId} and account_id = ${accountId} and read_at is null
      and not (snoozed_until is not null and snoozed_until > ${now})),
  'count', (select count(*) from notifications where user_id = ${userId} and account_id = ${accountId})`;

/** The agent's newest notification in the account (the one the batch just wrote: batches run one at a time). */
export const newestNotification = (userId: Ref, accountId: Ref) =>
  sql`(select max(id) from notifications where user_id = ${userId} and account_id = ${accountId})`;

/** What a notification event records (`events/notification-frames.ts` reads it): the row, its agent, counts. */
const recordedSql = (id: SQL, userId: Ref, accountId: Ref, now: number) => sql`(select json_object(
    'notification', json_object('id', n.id, 'account_id', n.account_id, 'notification_type', n.notification_type,
      'read_at', n.read_at, 'snoozed_until', n.snoozed_until, 'created_at', n.created_at),
    'user', json(${userPushSql(userId, accountId)}), ${countsSql(userId, accountId, now)})
  from notifications n where n.id = ${id})`;

type EventTarget = {
  accountId: number;
  recipient: number;
  conversationId: Ref;
  messageId?: Ref | null;
};

/**
 * The realtime event of a notification written (or changed) earlier in the same batch: heard by
 * its agent alone. `id` names the row (a subquery while the batch writes it); `when`, a
 * condition the event waits for (the row was written).
 */
export function notificationEvent(
  outbox: Outbox,
  event: Extract<EventName, "notification_created" | "notification_updated">,
  t: EventTarget & { id: Ref; when?: SQL },
  now = Date.now(),
): BatchItem<"sqlite">[] {
  return outbox.record({
    event,
    accountId: t.accountId,
    inboxId: null,
    conversationId: t.conversationId,
    messageId: t.messageId ?? undefined,
    recipient: t.recipient,
    when: t.when,
    dataSql: recordedSql(sql`${t.id}`, t.recipient, t.accountId, now),
  });
}

/**
 * A notification for one agent the caller knows (an assignment), with its event, for the caller's
 * batch. `conversationId` may be a subquery (a conversation created in the batch).
 */
export function notifyStatements(
  db: DB,
  outbox: Outbox,
  n: EventTarget & { type: NotificationType; actorId: number | null; at: number },
): BatchItem<"sqlite">[] {
  return [
    db.insert(notifications).values({
      accountId: n.accountId,
      userId: n.recipient,
      notificationType: n.type,
      conversationId: n.conversationId as number,
      messageId: (n.messageId ?? null) as number | null,
      actorId: n.actorId,
      createdAt: n.at,
      updatedAt: n.at,
    }),
    ...notificationEvent(outbox, "notification_created", { ...n, id: newestNotification(n.recipient, n.accountId) }),
  ];
}

export type NotificationChange = { readAt?: number | null; snoozedUntil?: number | null };

/**
 * Changes one of the caller's notifications (read, unread, snoozed), with `notification.updated`
 * for their sockets, in one batch; returns the row as it is now.
 */
export async function updateNotification(
  ctx: AgentContext,
  n: NotificationRow,
  change: NotificationChange,
): Promise<NotificationRow> {
  const now = Date.now();
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(notifications)
      .set({ ...change, updatedAt: now })
      .where(and(eq(notifications.id, n.id), mine(ctx)))
      .returning(),
    ...notificationEvent(
      ctx.outbox,
      "notification_updated",
      {
        accountId: ctx.accountId,
        recipient: ctx.actor.user.id,
        conversationId: n.conversationId,
        messageId: n.messageId,
        id: n.id,
      },
      now,
    ),
  ]);
  if (!updated[0]) throw notFound("Notification");
  return updated[0];
}

/** Deletes one of the caller's notifications, with `notification.deleted` (and the counts after it). */
export async function removeNotification(ctx: AgentContext, n: NotificationRow) {
  const me = ctx.actor.user.id;
  await ctx.db.batch([
    ctx.db.delete(notifications).where(and(eq(notifications.id, n.id), mine(ctx))),
    ...ctx.outbox.record({
      event: "notification_deleted",
      accountId: ctx.accountId,
      inboxId: null,
      conversationId: n.conversationId,
      recipient: me,
      data: { notification: { id: n.id } },
      dataSql: sql`json_object(${countsSql(me, ctx.accountId, Date.now())})`,
    }),
  ]);
}
