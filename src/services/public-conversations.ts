import { and, asc, desc, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { conversations, messages } from "../db/schema";
import type { ConversationView } from "../serializers/conversation";
import { typingUser } from "../events/bodies";
import { setTyping, toggleStatus } from "./conversations/actions";
import { conversationViews, toView, type ConversationViewRow } from "../views/conversations";
import { newConversationStatements } from "./conversations";
import { sessionId, type Batch, type PublicSession } from "./public-client";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";
import { readMessages, withSenders } from "../views/messages";
import type { MessageWithSender } from "../views/messages";

export const PUBLIC_CONVERSATIONS_PER_PAGE = 25;
/** Messages embedded in each conversation of a list, and in one shown alone. */
const LIST_EMBEDDED_MESSAGES = 20;
export const SHOW_EMBEDDED_MESSAGES = 100;
const PUBLIC_MESSAGES_PER_PAGE = 20;

/** What an end user may see of a conversation: no private notes, no activity messages. */
const forContact = sql`${messages.private} = 0 and ${messages.messageType} <> 'activity'`;

/** The latest `n` messages for the contact in each of `conversationIds` (a subquery), oldest first. */
export function latestMessagesOf(db: DB, conversationIds: SQL, n: number) {
  return withSenders(db)
    .where(
      sql`${messages.id} in (select id from (select m.id,
        row_number() over (partition by m.conversation_id order by m.id desc) as rn
        from ${messages} m where m.conversation_id in ${conversationIds} and m.private = 0
          and m.message_type <> 'activity')
        where rn <= ${n})`,
    )
    .orderBy(asc(messages.id));
}

/** A page of the session's conversations (latest activity first), its total, and their latest messages. */
export function conversationPage(db: DB, identifier: string, sourceId: string, page: number) {
  const mine = eq(conversations.contactInboxId, sessionId(identifier, sourceId));
  const offset = (page - 1) * PUBLIC_CONVERSATIONS_PER_PAGE;
  const ids = db
    .select({ id: conversations.id })
    .from(conversations)
    .where(mine)
    .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
    .limit(PUBLIC_CONVERSATIONS_PER_PAGE)
    .offset(offset);
  return [
    conversationViews(db, mine)
      .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
      .limit(PUBLIC_CONVERSATIONS_PER_PAGE)
      .offset(offset),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(conversations)
      .where(mine),
    latestMessagesOf(db, sql`(${ids})`, LIST_EMBEDDED_MESSAGES),
  ] as const;
}

export function readConversationPage(rows: unknown[]) {
  const [views, counted, msgs] = rows as [ConversationViewRow[], { n: number }[], unknown];
  return { conversations: views.map(toView), total: counted[0]?.n ?? 0, messages: readMessages(msgs) };
}

/** The conversation's messages for the contact: the latest 20, or 20 older than `before`, oldest first. */
export function publicMessagePage(db: DB, conversationId: SQL | number, before?: number) {
  return withSenders(db)
    .where(
      and(
        eq(messages.conversationId, sql`${conversationId}`),
        forContact,
        before ? lt(messages.id, before) : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(PUBLIC_MESSAGES_PER_PAGE);
}

export const readMessagePage = (rows: unknown): MessageWithSender[] => readMessages(rows).reverse();

/**
 * Opens a conversation for the session, routed to an available agent in the same batch (or, in an
 * inbox with an agent bot, pending and held by the bot). With
 * `lock_to_single_conversation` the session's latest conversation is returned instead (`latest`,
 * read beforehand); a blocked contact's conversation starts resolved, as in Chatwoot.
 */
export async function createPublicConversation(
  w: ServiceContext<null>,
  s: PublicSession,
  input: { custom_attributes?: Record<string, unknown> },
  latest: ConversationView | null,
): Promise<ConversationView> {
  if (s.inbox.lockToSingleConversation && latest) return latest;
  const created = newConversationStatements(w.db, w.outbox, {
    accountId: s.inbox.accountId,
    inboxId: s.inbox.id,
    contactId: s.contact.id,
    contactInboxId: s.contactInbox.id,
    status: s.contact.blocked ? "resolved" : "open",
    assigneeId: null,
    teamId: null,
    snoozedUntil: null,
    additionalAttributes: {},
    customAttributes: input.custom_attributes ?? {},
    at: Date.now(),
    agentBotId: s.inbox.agentBotId,
  });
  const results = await w.db.batch([
    ...(created.statements as Batch),
    ...created.routing,
    conversationViews(w.db, eq(conversations.uuid, created.uuid)),
  ]);
  return toView((results[results.length - 1] as ConversationViewRow[])[0]);
}

/** The contact resolves their conversation (the client API cannot reopen one), in the contact's name. */
export async function resolveByContact(
  w: ServiceContext<null>,
  s: PublicSession,
  v: ConversationView,
): Promise<ConversationView> {
  const { status, snoozedUntil } = await toggleStatus(
    { ...w, accountId: s.inbox.accountId },
    v,
    s.contact.name,
    "resolved",
  );
  return { ...v, conversation: { ...v.conversation, status, snoozedUntil } };
}

/** The contact started or stopped typing (an event for agents and webhooks; nothing is stored). */
export const contactTyping = (w: ServiceContext<null>, s: PublicSession, v: ConversationView, on: boolean) =>
  setTyping({ ...w, accountId: s.inbox.accountId }, v, typingUser.contact(s.contact, s.account), on, false);

/** Agent messages the contact has not read yet (the newest 100 get a `message_updated` each). */
export function unreadAgentMessages(db: DB, conversationId: SQL) {
  return db
    .select({ id: messages.id, private: messages.private })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        inArray(messages.messageType, ["outgoing", "template"]),
        eq(messages.private, false),
        inArray(messages.status, ["sent", "delivered"]),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(100);
}

/** Records that the contact saw the conversation: agent messages up to now become `read`. */
export async function markSeen(w: ServiceContext<null>, v: ConversationView, unread: { id: number }[]) {
  const c = v.conversation;
  const at = Date.now();
  const statements: BatchItem<"sqlite">[] = [
    w.db.update(conversations).set({ contactLastSeenAt: at }).where(eq(conversations.id, c.id)),
  ];
  if (unread.length > 0) {
    statements.push(
      w.db
        .update(messages)
        .set({ status: "read", updatedAt: at })
        .where(
          and(
            eq(messages.conversationId, c.id),
            inArray(messages.messageType, ["outgoing", "template"]),
            eq(messages.private, false),
            inArray(messages.status, ["sent", "delivered"]),
            sql`${messages.createdAt} <= ${at}`,
          ),
        ),
      ...unread.flatMap((m) =>
        w.outbox.record({
          event: "message_updated",
          accountId: c.accountId,
          inboxId: c.inboxId,
          conversationId: c.id,
          messageId: m.id,
        }),
      ),
    );
  }
  await w.db.batch(statements as Batch);
}
