import { and, asc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import type { DB } from "../db/client";
import { conversations, events } from "../db/schema";
import { cursorGone, type IdBounds, idBounds } from "../db/horizon";
import { inList } from "../db/select";
import { cursorExpired, gone, notFound } from "../lib/errors";
import type { Json } from "../events/bodies";
import { type EventHead, eventQueries, type Loaded, readEvents } from "../events/load";
import { renderBody } from "../events/render";
import { EVENT_NAMES, type EventName } from "../events/registry";
import type { FeedEventRow } from "../serializers/event";
import { seesInbox } from "../views/visibility";
import { type EventFeedInput, FEED_LIMIT } from "../routes/events/events.schemas";

/** A feed request, defaults applied. */
export type FeedQuery = { after: number; limit: number; types?: EventName[]; inboxId?: number };

export const feedQuery = (q: EventFeedInput): FeedQuery => {
  const types = q.types || q["types[]"] ? [...new Set([...(q.types ?? []), ...(q["types[]"] ?? [])])] : undefined;
  return { after: q.after ?? 0, limit: q.limit ?? FEED_LIMIT.default, types, inboxId: q.inbox_id };
};

/**
 * The events of the account the caller sees, in SQL (so a page's limit counts only theirs), read with
 * the token check: `callerId` is the credential's user as a subquery. Webhook events only: a personal
 * event (a notification) is one agent's, never a webhook's, and has no body. Administrators see
 * every one; other agents the events of inboxes they are members of (`views/visibility.ts`, as
 * conversation lists and realtime do) and events of no inbox (contact events: every agent sees
 * the account's contacts, and hears their events on the socket).
 */
function visible(accountId: number, callerId: SQL): SQL {
  const admin = sql`exists (select 1 from account_users where account_id = ${accountId}
    and user_id = ${callerId} and role = 'administrator')`;
  return and(
    eq(events.accountId, accountId),
    inList(events.event, EVENT_NAMES),
    sql`(${events.inboxId} is null or ${seesInbox({ userId: callerId, admin }, events.inboxId)})`,
  )!;
}

/**
 * A page's statements: the events (by id, served by the account's (account_id, id) index), where the
 * table's ids stand, and, for the events whose body was never stored (no delivery attempt yet),
 * everything the consumer renders one from (`eventQueries`), so one batch answers the page.
 */
function pageStatements(db: DB, where: SQL, limit: number) {
  const page = db
    .select({
      id: events.id,
      event: events.event,
      createdAt: events.createdAt,
      inboxId: events.inboxId,
      conversationId: sql<number | null>`(select ${conversations.displayId} from ${conversations}
        where ${conversations.id} = ${events.conversationId})`.as("conversation_display_id"),
      payload: events.payload,
    })
    .from(events)
    .where(where)
    .orderBy(asc(events.id))
    .limit(limit);
  // The first `limit` unrendered events of `where` include every unrendered one of the page.
  return [page, idBounds(db, "events"), ...eventQueries(db, and(where, isNull(events.payload))!, limit)] as const;
}

type PageRow = Omit<FeedEventRow, "body"> & { payload: string | null };

/**
 * The stored body (what webhooks were sent), else one rendered now as the consumer renders it
 * (`secret` signs its attachment links, as the consumer's).
 */
function bodyOf(row: PageRow, head: EventHead | undefined, loaded: Loaded, secret: string | undefined): Json | null {
  if (row.payload) return JSON.parse(row.payload) as Json;
  return head ? renderBody(head, loaded, secret) : null;
}

function readPage(rows: readonly unknown[], secret: string | undefined) {
  const [pageRows, [bounds], ...subjects] = rows as [PageRow[], IdBounds[], ...unknown[]];
  const loaded = readEvents(subjects);
  const heads = new Map(loaded.events.map((e) => [e.id, e]));
  const toRow = (r: PageRow): FeedEventRow => {
    const { payload: _stored, ...rest } = r;
    return { ...rest, body: bodyOf(r, heads.get(r.id), loaded, secret) };
  };
  return { pageRows, bounds, toRow };
}

/** The feed page's statements, for the token check's batch (`routes/events/preload.ts`). */
export function feedStatements(db: DB, accountId: number, callerId: SQL, q: FeedQuery) {
  const where = and(
    visible(accountId, callerId),
    gt(events.id, q.after),
    q.types ? inList(events.event, q.types) : undefined,
    q.inboxId !== undefined ? eq(events.inboxId, q.inboxId) : undefined,
  )!;
  return pageStatements(db, where, q.limit + 1);
}

export type FeedPage = { events: FeedEventRow[]; hasMore: boolean; nextAfter: number };

/**
 * A page of the change feed from its statements' rows: the caller's events after `after`, oldest
 * first. Events commit in id order (D1 runs one write at a time), so reading strictly after the
 * last id seen returns every event once, however writes go on. With nothing more to read,
 * `nextAfter` is the highest id assigned when the page was read: no event at or below it can
 * appear later, and a quiet account's cursor keeps up with the table's (see `cursorGone`). A
 * cursor whose next events retention deleted answers 410 with the oldest id kept.
 */
export function readFeed(rows: readonly unknown[], q: FeedQuery, secret: string | undefined): FeedPage {
  const { pageRows, bounds, toRow } = readPage(rows, secret);
  if (cursorGone(q.after, bounds)) throw cursorExpired("after", "events", bounds.through + 1);
  const hasMore = pageRows.length > q.limit;
  const list = pageRows.slice(0, q.limit).map(toRow);
  return { events: list, hasMore, nextAfter: hasMore ? list[list.length - 1].id : Math.max(q.after, bounds.head) };
}

/** One event's statements, for the token check's batch. */
export const eventStatements = (db: DB, accountId: number, callerId: SQL, id: number) =>
  pageStatements(db, and(visible(accountId, callerId), eq(events.id, id))!, 1);

/** The event, if the caller sees it: 404 otherwise (another account's answers alike), 410 once retention deleted it. */
export function readEvent(rows: readonly unknown[], id: number, secret: string | undefined): FeedEventRow {
  const { pageRows, bounds, toRow } = readPage(rows, secret);
  if (pageRows[0]) return toRow(pageRows[0]);
  if (id <= bounds.through) throw gone("EVENT_EXPIRED", `Event ${id} is no longer kept`, "id", bounds.through + 1);
  throw notFound("Event");
}
