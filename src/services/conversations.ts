import { and, asc, desc, eq, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  accounts,
  accountUsers,
  contactInboxes,
  contacts,
  conversationLabels,
  conversations,
  inboxes,
  inboxMembers,
  teams,
  users,
  type ConversationStatus,
} from "../db/schema";
import { containsText, eqIfGiven, inList, prefixed } from "../db/select";
import { secureToken, uuid as newUuid } from "../lib/crypto";
import { notFound, unprocessable } from "../lib/errors";
import type { ConversationView } from "../serializers/conversation";
import { activityInsert, activityText, conversationIdByUuid } from "./activity";
import { isAdmin, type Principal, viewerOf } from "./auth";
import {
  byDisplayId,
  conversationViews,
  toView,
  conversationsVisibleTo,
  type ConversationViewRow,
} from "../views/conversations";
import { messageStatements, type MessageInput } from "./message-writes";
import { routeStatements } from "./routing";
import { conversationIdsWithWords } from "./search-index";
import { availableName } from "../serializers/user";
import type { Outbox } from "../events/outbox";
import type { DB } from "../db/client";

export const CONVERSATIONS_PER_PAGE = 25;

export type Ctx = { db: DB; principal: Principal; accountId: number; outbox: Outbox };

export const ctxOf = (c: { var: { db: DB; principal: Principal; outbox: Outbox } }): Ctx => ({
  db: c.var.db,
  principal: c.var.principal,
  accountId: c.var.principal.account!.id,
  outbox: c.var.outbox,
});

const actorName = (p: Principal) => availableName(p.user);

export const STATUS_FILTERS = ["open", "resolved", "pending", "snoozed", "all"] as const;
export const ASSIGNEE_TYPES = ["me", "unassigned", "assigned", "all"] as const;
export const SORTS = [
  "last_activity_at_desc",
  "last_activity_at_asc",
  "created_at_desc",
  "created_at_asc",
  "priority_desc",
  "priority_asc",
  "waiting_since_desc",
  "waiting_since_asc",
] as const;

export type ConversationFilters = {
  status?: (typeof STATUS_FILTERS)[number];
  assignee_type?: (typeof ASSIGNEE_TYPES)[number];
  inbox_id?: number;
  team_id?: number;
  labels?: string[];
  q?: string;
  source_id?: string;
  sort_by?: (typeof SORTS)[number];
  page?: number;
};

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
function baseWhere(ctx: Ctx, f: ConversationFilters): SQL {
  // With `q`, the matches (an id list) must drive the query: SQLite's planner, without table
  // statistics, prefers an index on these columns and would walk every conversation of the
  // account (or inbox) testing each against the list. A unary `+` keeps a column out of index use.
  const column = (c: SQLiteColumn) => (f.q ? sql`+${c}` : sql`${c}`);
  const parts: (SQL | undefined)[] = [
    sql`${column(conversations.accountId)} = ${ctx.accountId}`,
    conversationsVisibleTo(viewerOf(ctx.principal)),
  ];
  const status = f.status ?? "open";
  if (status !== "all") parts.push(sql`${column(conversations.status)} = ${status}`);
  if (f.inbox_id) parts.push(sql`${column(conversations.inboxId)} = ${f.inbox_id}`);
  if (f.team_id) parts.push(sql`${column(conversations.teamId)} = ${f.team_id}`);
  if (f.labels?.length)
    parts.push(
      sql`exists (select 1 from ${conversationLabels}
        where ${conversationLabels.conversationId} = ${conversations.id}
        and ${inList(conversationLabels.label, f.labels)})`,
    );
  if (f.source_id)
    parts.push(
      sql`${conversations.contactInboxId} in (select ${contactInboxes.id} from ${contactInboxes}
        where ${contactInboxes.sourceId} = ${f.source_id})`,
    );
  if (f.q) parts.push(sql`${conversations.id} in (${searchMatches(ctx.accountId, f.q)})`);
  return and(...parts)!;
}

/**
 * The ids of the conversations `q` finds: by the words of their messages (the word index), or by
 * their contact's name or e-mail holding `q` (a substring, as the contact search; it reads the
 * account's contacts, far fewer than its messages). One id list, so the list and its counts
 * start from the matches and never walk the account's other conversations.
 */
function searchMatches(accountId: number, q: string): SQL {
  const byContact = sql`select ${conversations.id} from ${conversations} where ${conversations.contactId} in
    (select ${contacts.id} from ${contacts} where ${contacts.accountId} = ${accountId}
      and (${containsText(contacts.name, q)} or ${containsText(contacts.email, q)}))`;
  const byWords = conversationIdsWithWords(accountId, q);
  return byWords ? sql`select * from (${byWords}) union ${byContact}` : byContact;
}

function assigneeWhere(ctx: Ctx, type: ConversationFilters["assignee_type"]): SQL | undefined {
  if (type === "me") return eq(conversations.assigneeId, ctx.principal.user.id);
  if (type === "unassigned") return isNull(conversations.assigneeId);
  if (type === "assigned") return isNotNull(conversations.assigneeId);
  return undefined;
}

function countsQuery(ctx: Ctx, where: SQL) {
  const me = ctx.principal.user.id;
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

/** The list's two statements, a page and Chatwoot's four counts (apart, for the query-plan test). */
export function listQueries(ctx: Ctx, f: ConversationFilters) {
  const where = baseWhere(ctx, f);
  const page = f.page ?? 1;
  const rows = conversationViews(ctx.db, and(where, assigneeWhere(ctx, f.assignee_type)))
    .orderBy(...orderOf(f.sort_by))
    .limit(CONVERSATIONS_PER_PAGE)
    .offset((page - 1) * CONVERSATIONS_PER_PAGE);
  return [rows, countsQuery(ctx, where)] as const;
}

/** A page of conversations and Chatwoot's four counts, in one round trip. */
export async function listConversations(ctx: Ctx, f: ConversationFilters) {
  const [rows, counts] = await ctx.db.batch(listQueries(ctx, f));
  return { conversations: rows.map(toView), meta: counts[0] };
}

export async function conversationCounts(ctx: Ctx, f: ConversationFilters) {
  const [counts] = await countsQuery(ctx, baseWhere(ctx, f));
  return counts;
}

/** Preload for conversation routes: the conversation and whether the caller is a member of its inbox. */
export function conversationPreload(db: DB, accountId: number, displayId: number, callerId: SQL) {
  const view = conversationViews(db, byDisplayId(accountId, displayId));
  const member = db
    .select({ member: sql<number>`1` })
    .from(inboxMembers)
    .where(
      sql`${inboxMembers.userId} = ${callerId}
          and ${inboxMembers.inboxId} = (select inbox_id from conversations where account_id = ${accountId}
            and display_id = ${displayId})`,
    );
  return [view, member] as [typeof view, typeof member];
}

/** The preloaded conversation, if the caller may see it; otherwise 404, as if it did not exist. */
export function visibleConversation(principal: Principal, preload: unknown): ConversationView {
  const [views, member] = preload as [ConversationViewRow[], { member: number }[]];
  const view = views[0];
  if (!view || (!isAdmin(principal) && !member[0])) throw notFound("Conversation");
  return toView(view);
}

export async function findConversation(ctx: Ctx, displayId: number): Promise<ConversationView> {
  const [row] = await conversationViews(
    ctx.db,
    and(byDisplayId(ctx.accountId, displayId), conversationsVisibleTo(viewerOf(ctx.principal))),
  );
  if (!row) throw notFound("Conversation");
  return toView(row);
}

export type CreateConversationInput = {
  source_id?: string;
  inbox_id?: number;
  contact_id?: number;
  status?: "open" | "pending" | "resolved" | "snoozed";
  assignee_id?: number | null;
  team_id?: number | null;
  snoozed_until?: number | null;
  additional_attributes?: Record<string, unknown>;
  custom_attributes?: Record<string, unknown>;
  message?: MessageInput;
};

/**
 * Creates a conversation from a `source_id`, or from `inbox_id` + `contact_id` (creating the
 * contact_inbox if needed), with an optional first message, in one batch: the display id
 * comes from the account's sequence inside the same transaction, so ids never collide.
 */
export async function createConversation(ctx: Ctx, input: CreateConversationInput): Promise<ConversationView> {
  const { db, accountId, principal } = ctx;
  if (!input.source_id && (!input.inbox_id || !input.contact_id)) {
    throw unprocessable("Provide source_id, or inbox_id and contact_id", [
      { field: "source_id", message: "is required unless inbox_id and contact_id are given" },
    ]);
  }
  const ciWhere = input.source_id
    ? and(
        eq(contactInboxes.sourceId, input.source_id),
        input.inbox_id ? eq(contactInboxes.inboxId, input.inbox_id) : undefined,
      )
    : and(eq(contactInboxes.inboxId, input.inbox_id!), eq(contactInboxes.contactId, input.contact_id!));
  const [found, inboxRows, contactRows, assigneeRows, teamRows, memberships] = await db.batch([
    db
      .select({
        contactInbox: prefixed(contactInboxes, "ci"),
        inbox: prefixed(inboxes, "i"),
        contact: prefixed(contacts, "ct"),
      })
      .from(contactInboxes)
      .innerJoin(inboxes, eq(inboxes.id, contactInboxes.inboxId))
      .innerJoin(contacts, eq(contacts.id, contactInboxes.contactId))
      .where(and(ciWhere, eq(inboxes.accountId, accountId)))
      .orderBy(asc(contactInboxes.id))
      .limit(1),
    db
      .select()
      .from(inboxes)
      .where(and(eq(inboxes.accountId, accountId), eqIfGiven(inboxes.id, input.inbox_id))),
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, accountId), eqIfGiven(contacts.id, input.contact_id))),
    db
      .select({ user: prefixed(users, "u") })
      .from(accountUsers)
      .innerJoin(users, eq(users.id, accountUsers.userId))
      .where(and(eq(accountUsers.accountId, accountId), eqIfGiven(accountUsers.userId, input.assignee_id))),
    db
      .select()
      .from(teams)
      .where(and(eq(teams.accountId, accountId), eqIfGiven(teams.id, input.team_id))),
    db.select({ inboxId: inboxMembers.inboxId }).from(inboxMembers).where(eq(inboxMembers.userId, principal.user.id)),
  ]);

  const existing = found[0];
  const inbox = existing?.inbox ?? inboxRows[0];
  const contact = existing?.contact ?? contactRows[0];
  if (input.source_id && !existing) throw notFound("Contact inbox");
  if (!inbox) throw notFound("Inbox");
  if (!contact) throw notFound("Contact");
  if (input.assignee_id && !assigneeRows[0]) throw notFound("Agent");
  if (input.team_id && !teamRows[0]) throw notFound("Team");
  // Agents may only work in inboxes they belong to; other inboxes look missing.
  if (!isAdmin(principal) && !memberships.some((m) => m.inboxId === inbox.id)) throw notFound("Inbox");

  // One conversation per contact in this inbox: the contact's latest is reused.
  if (inbox.lockToSingleConversation && existing) {
    const [latest] = await conversationViews(db, eq(conversations.contactInboxId, existing.contactInbox.id))
      .orderBy(desc(conversations.id))
      .limit(1);
    if (latest) return toView(latest);
  }

  const at = Date.now();
  const status: ConversationStatus = input.status ?? "open";
  const created = newConversationStatements(db, ctx.outbox, {
    accountId,
    inboxId: inbox.id,
    contactId: contact.id,
    contactInboxId: existing?.contactInbox.id ?? null,
    status,
    assigneeId: input.assignee_id ?? null,
    teamId: input.team_id ?? null,
    snoozedUntil: status === "snoozed" && input.snoozed_until ? input.snoozed_until * 1000 : null,
    additionalAttributes: input.additional_attributes ?? {},
    customAttributes: input.custom_attributes ?? {},
    at,
  });
  const { uuid, conversationId, statements } = created;
  const target = { accountId, inboxId: inbox.id, contactId: contact.id, conversationId };
  if (input.message) {
    const m = messageStatements(db, target, input.message, { type: "User", id: principal.user.id }, at);
    statements.push(m.insert, ...m.statements, ...ctx.outbox.record(m.event));
  }
  statements.push(...created.routing);
  const assignee = assigneeRows[0]?.user;
  if (assignee) {
    const text =
      assignee.id === principal.user.id
        ? activityText.selfAssigned(actorName(principal))
        : activityText.assigned(availableName(assignee), actorName(principal));
    statements.push(activityInsert(db, target, text, at + 1));
  }
  const view = conversationViews(db, eq(conversations.uuid, uuid));
  const results = await db.batch([...(statements as [BatchItem<"sqlite">]), view]);
  return toView((results[results.length - 1] as ConversationViewRow[])[0]);
}

type NewConversation = {
  accountId: number;
  inboxId: number;
  contactId: number;
  /** The contact's session in the inbox; null creates one. */
  contactInboxId: number | null;
  status: ConversationStatus;
  assigneeId: number | null;
  teamId: number | null;
  snoozedUntil: number | null;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  at: number;
};

/**
 * The statements that create a conversation, for the caller's batch: the display id comes from
 * the account's sequence inside the same transaction, so ids never collide; `conversation_created`
 * is recorded, and an open conversation nobody holds is routed in the same batch.
 */
export function newConversationStatements(db: DB, outbox: Outbox, n: NewConversation) {
  const uuid = newUuid();
  const conversationId = conversationIdByUuid(uuid);
  const statements: BatchItem<"sqlite">[] = [
    db
      .update(accounts)
      .set({ lastDisplayId: sql`${accounts.lastDisplayId} + 1` })
      .where(eq(accounts.id, n.accountId)),
  ];
  let contactInboxId: number | SQL = n.contactInboxId ?? 0;
  if (n.contactInboxId === null) {
    const sourceId = newUuid();
    statements.push(
      db
        .insert(contactInboxes)
        .values({ contactId: n.contactId, inboxId: n.inboxId, sourceId, pubsubToken: secureToken() }),
    );
    contactInboxId = sql`(select id from contact_inboxes where inbox_id = ${n.inboxId} and source_id = ${sourceId})`;
  }
  statements.push(
    db.insert(conversations).values({
      accountId: n.accountId,
      displayId: sql`(select ${accounts.lastDisplayId} from ${accounts} where ${accounts.id} = ${n.accountId})`,
      uuid,
      inboxId: n.inboxId,
      contactId: n.contactId,
      contactInboxId: contactInboxId as number,
      status: n.status,
      assigneeId: n.assigneeId,
      teamId: n.teamId,
      snoozedUntil: n.snoozedUntil,
      additionalAttributes: n.additionalAttributes,
      customAttributes: n.customAttributes,
      lastActivityAt: n.at,
      createdAt: n.at,
      updatedAt: n.at,
    }),
    ...outbox.record({
      event: "conversation_created",
      accountId: n.accountId,
      inboxId: n.inboxId,
      conversationId,
      contactId: n.contactId,
    }),
  );
  const routing =
    !n.assigneeId && n.status === "open"
      ? routeStatements(
          db,
          outbox,
          { accountId: n.accountId, inboxId: n.inboxId, conversation: conversationId },
          n.at + 1,
        )
      : [];
  return { uuid, conversationId, statements, routing };
}

export { actorName };
