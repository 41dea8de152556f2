import { and, asc, eq, getTableColumns, inArray, type SQL } from "drizzle-orm";
import type { DB } from "../db/client";
import {
  type AccountRow,
  accounts,
  accountUsers,
  type ContactRow,
  contacts,
  conversations,
  type EventRow,
  events,
  type InboxRow,
  inboxes,
  inboxMembers,
  messages,
  type Role,
} from "../db/schema";
import { inList } from "../db/select";
import type { ConversationView } from "../serializers/conversation";
import { conversationViews, toView } from "../views/conversations";
import { type MessageWithSender, readMessages, withSenders } from "../views/messages";

const { payload: _webhookBody, ...eventColumns } = getTableColumns(events);
/** An event as its renderers see it: everything but the stored webhook body. */
export type EventHead = Omit<EventRow, "payload">;

/** Events with everything their webhook bodies and frames show, and what decides who may see them. */
export type Loaded = {
  events: EventHead[];
  account: AccountRow | null;
  inboxes: Map<number, InboxRow>;
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
 * Loads the first `limit` events of one account matching `where` (by id) and their subjects in
 * one D1 batch: one round trip whatever the number of events. Subjects are read as they are now
 * (a deleted one is missing, and its event renders nothing). For webhook bodies (`agents`
 * absent) the account and inboxes are read too; for realtime frames, the listening `agents`'
 * roles and memberships instead, in the same batch, so membership changes apply at once.
 */
export async function loadEvents(
  db: DB,
  where: SQL,
  opts: { limit: number; accountId: number; agents?: number[] },
): Promise<Loaded> {
  type Ref = typeof events.messageId | typeof events.conversationId | typeof events.contactId | typeof events.inboxId;
  const column = (c: Ref) => db.select({ v: c }).from(events).where(where).orderBy(asc(events.id)).limit(opts.limit);
  const subjects = [
    db.select(eventColumns).from(events).where(where).orderBy(asc(events.id)).limit(opts.limit),
    withSenders(db).where(inArray(messages.id, column(events.messageId))),
    conversationViews(db, inArray(conversations.id, column(events.conversationId))),
    db
      .select()
      .from(contacts)
      .where(inArray(contacts.id, column(events.contactId))),
  ] as const;
  const loaded = ([rows, messageRows, viewRows, contactRows]: [
    EventHead[],
    unknown,
    Parameters<typeof toView>[0][],
    ContactRow[],
  ]): Loaded => ({
    events: rows,
    account: null,
    inboxes: new Map(),
    messages: new Map(readMessages(messageRows).map((m) => [m.message.id, m])),
    views: new Map(viewRows.map((r) => [r.conversation.id, toView(r)])),
    contacts: new Map(contactRows.map((c) => [c.id, c])),
    roles: new Map(),
    memberOf: new Map(),
  });
  if (!opts.agents) {
    const [rows, messageRows, viewRows, contactRows, accountRows, inboxRows] = await db.batch([
      ...subjects,
      db.select().from(accounts).where(eq(accounts.id, opts.accountId)),
      db
        .select()
        .from(inboxes)
        .where(inArray(inboxes.id, column(events.inboxId))),
    ]);
    const l = loaded([rows, messageRows, viewRows, contactRows]);
    return { ...l, account: accountRows[0] ?? null, inboxes: new Map(inboxRows.map((i) => [i.id, i])) };
  }
  const [rows, messageRows, viewRows, contactRows, roleRows, memberRows] = await db.batch([
    ...subjects,
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
    ...loaded([rows, messageRows, viewRows, contactRows]),
    roles: new Map(roleRows.map((r) => [r.userId, r.role])),
    memberOf,
  };
}

/** The subjects of one event, as its renderers read them. */
export function subjectsOf(e: EventHead, l: Loaded) {
  return {
    account: l.account,
    inbox: l.inboxes.get(e.inboxId ?? 0) ?? null,
    view: l.views.get(e.conversationId ?? 0) ?? null,
    message: l.messages.get(e.messageId ?? 0) ?? null,
    contact: l.contacts.get(e.contactId ?? 0) ?? null,
  };
}
export type Subjects = ReturnType<typeof subjectsOf>;
