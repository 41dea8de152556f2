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
  /** The events' accounts (webhook bodies only). */
  accounts: Map<number, AccountRow>;
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

/** For webhook bodies: nothing more. For realtime frames: the listening agents of one account. */
export type LoadFor = { agents?: undefined } | { accountId: number; agents: number[] };

/**
 * The batchable reads of the first `limit` events matching `where` (by id) and their subjects:
 * one round trip whatever the number of events, alone (`loadEvents`) or in a caller's batch (read
 * the rows with `readEvents`). Subjects are read as they are now (a deleted one is missing, and
 * its event renders nothing). For webhook bodies (`agents` absent) the events' accounts and
 * inboxes are read too; for realtime frames, the listening `agents`' roles and memberships
 * instead, so membership changes apply at once.
 */
export function eventQueries(db: DB, where: SQL, limit: number, opts: LoadFor = {}) {
  type Ref =
    | typeof events.messageId
    | typeof events.conversationId
    | typeof events.contactId
    | typeof events.inboxId
    | typeof events.accountId;
  const column = (c: Ref) => db.select({ v: c }).from(events).where(where).orderBy(asc(events.id)).limit(limit);
  const subjects = [
    db.select(eventColumns).from(events).where(where).orderBy(asc(events.id)).limit(limit),
    withSenders(db).where(inArray(messages.id, column(events.messageId))),
    conversationViews(db, inArray(conversations.id, column(events.conversationId))),
    db
      .select()
      .from(contacts)
      .where(inArray(contacts.id, column(events.contactId))),
  ] as const;
  if (!opts.agents)
    return [
      ...subjects,
      db
        .select()
        .from(accounts)
        .where(inArray(accounts.id, column(events.accountId))),
      db
        .select()
        .from(inboxes)
        .where(inArray(inboxes.id, column(events.inboxId))),
    ] as const;
  return [
    ...subjects,
    db
      .select({ userId: accountUsers.userId, role: accountUsers.role })
      .from(accountUsers)
      .where(and(eq(accountUsers.accountId, opts.accountId), inList(accountUsers.userId, opts.agents))),
    db
      .select({ userId: inboxMembers.userId, inboxId: inboxMembers.inboxId })
      .from(inboxMembers)
      .where(inList(inboxMembers.userId, opts.agents)),
  ] as const;
}

/** The rows of `eventQueries` (in its order), as the renderers read them. */
export function readEvents(rows: readonly unknown[], opts: LoadFor = {}): Loaded {
  const [eventRows, messageRows, viewRows, contactRows, a, b] = rows as [
    EventHead[],
    unknown,
    Parameters<typeof toView>[0][],
    ContactRow[],
    unknown[],
    unknown[],
  ];
  const loaded: Loaded = {
    events: eventRows,
    accounts: new Map(),
    inboxes: new Map(),
    messages: new Map(readMessages(messageRows).map((m) => [m.message.id, m])),
    views: new Map(viewRows.map((r) => [r.conversation.id, toView(r)])),
    contacts: new Map(contactRows.map((c) => [c.id, c])),
    roles: new Map(),
    memberOf: new Map(),
  };
  if (!opts.agents) {
    for (const account of a as AccountRow[]) loaded.accounts.set(account.id, account);
    for (const inbox of b as InboxRow[]) loaded.inboxes.set(inbox.id, inbox);
    return loaded;
  }
  for (const r of a as { userId: number; role: Role }[]) loaded.roles.set(r.userId, r.role);
  for (const r of b as { userId: number; inboxId: number }[])
    loaded.memberOf.set(r.userId, (loaded.memberOf.get(r.userId) ?? new Set()).add(r.inboxId));
  return loaded;
}

/** `eventQueries` in a batch of their own. */
export async function loadEvents(db: DB, where: SQL, limit: number, opts: LoadFor = {}): Promise<Loaded> {
  const [first, ...rest] = eventQueries(db, where, limit, opts);
  return readEvents(await db.batch([first, ...rest]), opts);
}

/** The subjects of one event, as its renderers read them. */
export function subjectsOf(e: EventHead, l: Loaded) {
  return {
    account: l.accounts.get(e.accountId) ?? null,
    inbox: l.inboxes.get(e.inboxId ?? 0) ?? null,
    view: l.views.get(e.conversationId ?? 0) ?? null,
    message: l.messages.get(e.messageId ?? 0) ?? null,
    contact: l.contacts.get(e.contactId ?? 0) ?? null,
  };
}
export type Subjects = ReturnType<typeof subjectsOf>;
