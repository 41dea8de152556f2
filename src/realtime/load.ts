import { and, asc, eq, getTableColumns, gt, inArray, sql, type SQL } from "drizzle-orm";
import { accountUsers, contacts, conversations, events, inboxMembers, messages, type Role } from "../db/schema";
import { inList } from "../db/select";
import type { ConversationView } from "../serializers/conversation";
import { conversationViews, toView } from "../views/conversations";
import type { Subscriber } from "./protocol";
import type { ContactRow } from "../db/schema";
import type { DB } from "../db/client";
import { readMessages, withSenders } from "../views/messages";
import type { MessageWithSender } from "../views/messages";

const { payload: _webhookBody, ...eventColumns } = getTableColumns(events);
export type EventRow = Omit<typeof events.$inferSelect, "payload">;

/** Events with everything their frames show, and what decides who may see them. */
export type Loaded = {
  events: EventRow[];
  messages: Map<number, MessageWithSender>;
  views: Map<number, ConversationView>;
  contacts: Map<number, ContactRow>;
  /** Roles of the listening agents; a user missing here is no longer a member of the account. */
  roles: Map<number, Role>;
  /** Inboxes each listening agent is a member of. */
  memberOf: Map<number, Set<number>>;
};

/** The events recorded under these uids, in one account. */
export const byUids = (accountId: number, uids: string[]) =>
  and(eq(events.accountId, accountId), inList(events.uid, uids))!;

/**
 * What a replay may contain for this subscriber, narrowed in SQL so the limit counts only
 * their events: a contact's own conversations' public, non-activity messages and status
 * changes; an agent's visible inboxes (all for administrators) and contact events. Typing is
 * never replayed: it is stale by then. `render.ts` applies the same rules again per frame.
 */
export function replayScope(sub: Subscriber, since: number): SQL {
  const after = and(eq(events.accountId, sub.accountId), gt(events.id, since));
  if (sub.kind === "contact") {
    return and(
      after,
      sql`${events.event} in ('message_created', 'message_updated', 'conversation_status_changed')`,
      sql`${events.conversationId} in (select id from conversations where contact_inbox_id = ${sub.contactInboxId})`,
      // Correlated on the event's message (by primary key): an IN over all messages would scan them.
      sql`(${events.messageId} is null or exists (select 1 from messages m where m.id = ${events.messageId} and m.private = 0 and m.message_type <> 'activity'))`,
    )!;
  }
  return and(
    after,
    sql`${events.event} not in ('conversation_typing_on', 'conversation_typing_off', 'inbox_created', 'inbox_updated')`,
    sql`(${events.inboxId} is null
      or exists (select 1 from account_users where account_id = ${sub.accountId} and user_id = ${sub.userId} and role = 'administrator')
      or ${events.inboxId} in (select inbox_id from inbox_members where user_id = ${sub.userId}))`,
  )!;
}

/**
 * Loads the first `limit` events matching `where` (by id) and their subjects in one D1 batch:
 * one round trip whatever the number of events. `agents` are the listening users whose
 * visibility is read in the same batch, so membership changes apply at once.
 */
export async function loadEvents(
  db: DB,
  where: SQL,
  opts: { limit: number; accountId: number; agents: number[] },
): Promise<Loaded> {
  const column = (c: typeof events.messageId | typeof events.conversationId | typeof events.contactId) =>
    db.select({ v: c }).from(events).where(where).orderBy(asc(events.id)).limit(opts.limit);
  const [rows, messageRows, viewRows, contactRows, roleRows, memberRows] = await db.batch([
    db.select(eventColumns).from(events).where(where).orderBy(asc(events.id)).limit(opts.limit),
    withSenders(db).where(inArray(messages.id, column(events.messageId))),
    conversationViews(db, inArray(conversations.id, column(events.conversationId))),
    db
      .select()
      .from(contacts)
      .where(inArray(contacts.id, column(events.contactId))),
    db
      .select({ userId: accountUsers.userId, role: accountUsers.role })
      .from(accountUsers)
      .where(and(eq(accountUsers.accountId, opts.accountId), inList(accountUsers.userId, opts.agents))),
    db
      .select({ userId: inboxMembers.userId, inboxId: inboxMembers.inboxId })
      .from(inboxMembers)
      .where(inList(inboxMembers.userId, opts.agents)),
  ]);
  const memberOf = new Map<number, Set<number>>();
  for (const r of memberRows) memberOf.set(r.userId, (memberOf.get(r.userId) ?? new Set()).add(r.inboxId));
  return {
    events: rows,
    messages: new Map(readMessages(messageRows).map((m) => [m.message.id, m])),
    views: new Map(viewRows.map((r) => [r.conversation.id, toView(r)])),
    contacts: new Map(contactRows.map((c) => [c.id, c])),
    roles: new Map(roleRows.map((r) => [r.userId, r.role])),
    memberOf,
  };
}
