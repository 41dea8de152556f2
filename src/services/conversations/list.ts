import { labelFilterOf } from "../../lib/params";
import { and, asc, desc, eq, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  contactInboxes,
  contacts,
  conversationCounts as counters,
  conversationLabels,
  conversationParticipants,
  conversations,
  mentions,
} from "../../db/schema";
import { seesInbox } from "../../views/visibility";
import { inList } from "../../db/select";
import { viewerOf } from "../auth";
import { conversationViews, toView, conversationsVisibleTo } from "../../views/conversations";
import { contactIdsContaining, conversationIdsWithWords } from "../search-index";
import type { AgentContext } from "../context";
import type { z } from "@hono/zod-openapi";
import type { ConversationListQuery } from "../../routes/conversations/conversations.schemas";

export const CONVERSATIONS_PER_PAGE = 25;

/** The list's filters, as the route's query schema reads them (also what counts and the console use). */
export type ConversationFilters = z.output<typeof ConversationListQuery>;

const priorityRank = sql`(case ${conversations.priority} when 'urgent' then 4 when 'high' then 3
  when 'medium' then 2 when 'low' then 1 else 0 end)`;

function orderOf(sort: ConversationFilters["sort_by"]) {
  switch (sort) {
    case "last_activity_at_asc":
      return [asc(conversations.lastActivityAt), asc(conversations.id)];
    case "created_at_desc":
      return [desc(conversations.createdAt), desc(conversations.id)];
    case "created_at_asc":
      return [asc(conversations.createdAt), asc(conversations.id)];
    case "priority_desc":
      return [desc(priorityRank), desc(conversations.lastActivityAt)];
    case "priority_asc":
      return [asc(priorityRank), desc(conversations.lastActivityAt)];
    case "waiting_since_desc":
      return [sql`${conversations.waitingSince} is null`, desc(conversations.waitingSince)];
    case "waiting_since_asc":
      return [sql`${conversations.waitingSince} is null`, asc(conversations.waitingSince)];
    default:
      return [desc(conversations.lastActivityAt), desc(conversations.id)];
  }
}

/** Every filter but the assignee one: Chatwoot's counts are taken at this point. */
function baseWhere(ctx: AgentContext, f: ConversationFilters): SQL {
  // With `q` (or the caller's mentions or participations), the matches (an id list) must drive
  // the query: SQLite's planner, without table statistics, prefers an index on these columns and
  // would walk every conversation of the account (or inbox) testing each against the list. A
  // unary `+` keeps a column out of index use.
  const byIds = f.q || f.conversation_type === "mention" || f.conversation_type === "participating";
  const column = (c: SQLiteColumn) => (byIds ? sql`+${c}` : sql`${c}`);
  const parts: (SQL | undefined)[] = [
    sql`${column(conversations.accountId)} = ${ctx.accountId}`,
    conversationsVisibleTo(viewerOf(ctx.actor)),
  ];
  const status = f.status ?? "open";
  if (status !== "all") parts.push(sql`${column(conversations.status)} = ${status}`);
  if (f.inbox_id) parts.push(sql`${column(conversations.inboxId)} = ${f.inbox_id}`);
  if (f.team_id) parts.push(sql`${column(conversations.teamId)} = ${f.team_id}`);
  const labels = labelFilterOf(f);
  if (labels?.length)
    parts.push(
      sql`exists (select 1 from ${conversationLabels}
        where ${conversationLabels.conversationId} = ${conversations.id}
        and ${inList(conversationLabels.label, labels)})`,
    );
  if (f.source_id)
    parts.push(
      sql`${conversations.contactInboxId} in (select ${contactInboxes.id} from ${contactInboxes}
        where ${contactInboxes.sourceId} = ${f.source_id})`,
    );
  if (f.q) parts.push(sql`${conversations.id} in (${searchMatches(ctx.accountId, f.q)})`);
  if (f.conversation_type) parts.push(conversationTypeWhere(ctx, f.conversation_type));
  return and(...parts)!;
}

/**
 * Chatwoot's `conversation_type`: the caller's mentions and participations are read through their
 * own index rows (`mentions_user_idx`, `conversation_participants_user_idx`), the conversations
 * by id; `unattended` is Chatwoot's scope (no first reply yet, or waiting for one).
 */
function conversationTypeWhere(ctx: AgentContext, type: NonNullable<ConversationFilters["conversation_type"]>): SQL {
  const me = ctx.actor.user.id;
  if (type === "mention")
    return sql`${conversations.id} in (select ${mentions.conversationId} from ${mentions}
      where ${mentions.userId} = ${me} and ${mentions.accountId} = ${ctx.accountId})`;
  const p = conversationParticipants;
  if (type === "participating")
    return sql`${conversations.id} in (select ${p.conversationId} from ${p}
      where ${p.userId} = ${me} and ${p.accountId} = ${ctx.accountId})`;
  return sql`(${conversations.firstReplyCreatedAt} is null or ${conversations.waitingSince} is not null)`;
}

/**
 * The ids of the conversations `q` finds: by the words of their messages (the word index), or by
 * their contact's name or e-mail holding `q` (a substring, as the contact search; it reads the
 * account's contacts, far fewer than its messages). One id list, so the list and its counts
 * start from the matches and never walk the account's other conversations.
 */
function searchMatches(accountId: number, q: string): SQL {
  const byContact = sql`select ${conversations.id} from ${conversations}
    where ${conversations.contactId} in (${contactIdsContaining(accountId, q, [contacts.name, contacts.email])})`;
  const byWords = conversationIdsWithWords(accountId, q);
  return byWords ? sql`select * from (${byWords}) union ${byContact}` : byContact;
}

function assigneeWhere(ctx: AgentContext, type: ConversationFilters["assignee_type"]): SQL | undefined {
  if (type === "me") return eq(conversations.assigneeId, ctx.actor.user.id);
  if (type === "unassigned") return isNull(conversations.assigneeId);
  if (type === "assigned") return isNotNull(conversations.assigneeId);
  return undefined;
}

function countsQuery(ctx: AgentContext, where: SQL) {
  const me = ctx.actor.user.id;
  return ctx.db
    .select({
      mine_count: sql<number>`coalesce(sum(${conversations.assigneeId} = ${me}), 0)`.mapWith(Number),
      assigned_count: sql<number>`coalesce(sum(${conversations.assigneeId} is not null), 0)`.mapWith(Number),
      unassigned_count: sql<number>`coalesce(sum(${conversations.assigneeId} is null), 0)`.mapWith(Number),
      all_count: sql<number>`count(*)`.mapWith(Number),
    })
    .from(conversations)
    .where(where);
}

/**
 * Chatwoot's four counts from the counter rows (`conversation_counts`, kept by triggers): a few
 * rows per inbox, status and assignee, whatever the account's size. Only for the filters those
 * rows are keyed by (status, inbox); a list filtered by team, labels, source_id, `q` or
 * `conversation_type` counts its conversations instead.
 */
function countersQuery(ctx: AgentContext, f: ConversationFilters) {
  const me = ctx.actor.user.id;
  const status = f.status ?? "open";
  return ctx.db
    .select({
      mine_count: sql<number>`coalesce(sum(case when ${counters.assigneeId} = ${me}
        then ${counters.count} end), 0)`.mapWith(Number),
      assigned_count: sql<number>`coalesce(sum(case when ${counters.assigneeId} <> 0
        then ${counters.count} end), 0)`.mapWith(Number),
      unassigned_count: sql<number>`coalesce(sum(case when ${counters.assigneeId} = 0
        then ${counters.count} end), 0)`.mapWith(Number),
      all_count: sql<number>`coalesce(sum(${counters.count}), 0)`.mapWith(Number),
    })
    .from(counters)
    .where(
      and(
        eq(counters.accountId, ctx.accountId),
        status === "all" ? undefined : eq(counters.status, status),
        f.inbox_id ? eq(counters.inboxId, f.inbox_id) : undefined,
        seesInbox(viewerOf(ctx.actor), counters.inboxId),
      ),
    );
}

const countedByRows = (f: ConversationFilters) =>
  !f.team_id && !labelFilterOf(f)?.length && !f.source_id && !f.q && !f.conversation_type;

const counts = (ctx: AgentContext, f: ConversationFilters, where: SQL) =>
  countedByRows(f) ? countersQuery(ctx, f) : countsQuery(ctx, where);

/** The list's two statements, a page and Chatwoot's four counts (apart, for the query-plan test). */
export function listQueries(ctx: AgentContext, f: ConversationFilters) {
  const where = baseWhere(ctx, f);
  const page = f.page ?? 1;
  const rows = conversationViews(ctx.db, and(where, assigneeWhere(ctx, f.assignee_type)))
    .orderBy(...orderOf(f.sort_by))
    .limit(CONVERSATIONS_PER_PAGE)
    .offset((page - 1) * CONVERSATIONS_PER_PAGE);
  return [rows, counts(ctx, f, where)] as const;
}

/** A page of conversations and Chatwoot's four counts, in one round trip. */
export async function listConversations(ctx: AgentContext, f: ConversationFilters) {
  const [rows, counts] = await ctx.db.batch(listQueries(ctx, f));
  return { conversations: rows.map(toView), meta: counts[0] };
}

export async function conversationCounts(ctx: AgentContext, f: ConversationFilters) {
  const [result] = await counts(ctx, f, baseWhere(ctx, f));
  return result;
}
