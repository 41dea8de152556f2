import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { messages, users, type MessageStatus } from "../db/schema";
import { orNull, prefixed } from "../db/select";
import type { DB } from "../lib/context";
import { notFound } from "../lib/errors";
import type { ConversationView } from "../serializers/conversation";
import type { MessageRow } from "../serializers/message";
import type { UserRow } from "./auth";
import type { Ctx } from "./conversations";
import { messageStatements, type MessageInput } from "./message-writes";

export const MESSAGES_PER_PAGE = 20;

export type MessageWithSender = { message: MessageRow; user: UserRow | null };

function withSenders(db: DB) {
  return db
    .select({ message: prefixed(messages, "m"), user: prefixed(users, "u") })
    .from(messages)
    .leftJoin(users, and(eq(users.id, messages.senderId), eq(messages.senderType, "User")));
}

const clean = (rows: { message: MessageRow; user: UserRow }[]): MessageWithSender[] =>
  rows.map((r) => ({ message: r.message, user: orNull(r.user) }));

/**
 * Chatwoot's paging: the latest 20; `before` → 20 older; `after` → up to 100 newer;
 * both → up to 1000 between. Always ascending.
 */
export async function listMessages(db: DB, conversationId: number, page: { before?: number; after?: number }) {
  const inConversation = eq(messages.conversationId, conversationId);
  const q = withSenders(db);
  if (page.after !== undefined) {
    const where = and(inConversation, gt(messages.id, page.after), page.before ? lt(messages.id, page.before) : undefined);
    return clean(await q.where(where).orderBy(asc(messages.id)).limit(page.before ? 1000 : 100));
  }
  const where = and(inConversation, page.before ? lt(messages.id, page.before) : undefined);
  const rows = await q.where(where).orderBy(desc(messages.id)).limit(MESSAGES_PER_PAGE);
  return clean(rows).reverse();
}

/** Adds a message as the caller (incoming ones are the contact's) with its effects, in one batch. */
export async function createMessage(ctx: Ctx, v: ConversationView, input: MessageInput): Promise<MessageRow> {
  const c = v.conversation;
  const incoming = input.message_type === "incoming";
  const sender = incoming ? { type: "Contact" as const, id: v.contact.id } : { type: "User" as const, id: ctx.principal.user.id };
  const target = { accountId: c.accountId, inboxId: c.inboxId, contactId: c.contactId, conversationId: c.id };
  const { insert, statements } = messageStatements(ctx.db, target, { ...input, private: incoming ? false : input.private }, sender);
  const [inserted] = await ctx.db.batch([insert, ...statements]);
  return inserted[0];
}

/** Preload for message routes: one message of the conversation in the path. */
export function messagePreload(db: DB, accountId: number, displayId: number, messageId: number) {
  return withSenders(db).where(
    and(
      eq(messages.id, messageId),
      eq(messages.accountId, accountId),
      eq(messages.conversationId, sql`(select id from conversations where account_id = ${accountId} and display_id = ${displayId})`),
    ),
  );
}

export function preloadedMessage(rows: unknown): MessageWithSender {
  const row = (rows as { message: MessageRow; user: UserRow }[])[0];
  if (!row) throw notFound("Message");
  return clean([row])[0];
}

export const DELETED_CONTENT = "This message was deleted";

/** Soft delete, as Chatwoot: the content is replaced and `content_attributes.deleted` set. */
export async function deleteMessage(ctx: Ctx, m: MessageRow): Promise<MessageRow> {
  const [row] = await ctx.db
    .update(messages)
    .set({ content: DELETED_CONTENT, contentAttributes: { ...m.contentAttributes, deleted: true }, updatedAt: Date.now() })
    .where(eq(messages.id, m.id))
    .returning();
  return row;
}

const RANK: Record<MessageStatus, number> = { sent: 0, delivered: 1, read: 2, failed: -1 };

/**
 * Delivery status from the integrator. A status never moves backwards (read → delivered is
 * ignored, as Chatwoot does); `failed` may always be set and keeps `external_error`.
 */
export async function updateMessageStatus(ctx: Ctx, m: MessageRow, status: MessageStatus, externalError?: string) {
  if (status !== "failed" && m.status !== "failed" && RANK[status] <= RANK[m.status]) return m;
  const contentAttributes = { ...m.contentAttributes };
  if (status === "failed") contentAttributes.external_error = externalError ?? "Delivery failed";
  else delete contentAttributes.external_error;
  const [row] = await ctx.db
    .update(messages)
    .set({ status, contentAttributes, updatedAt: Date.now() })
    .where(eq(messages.id, m.id))
    .returning();
  return row;
}
