import { eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { contacts, conversations, messages, type MessageType } from "../db/schema";
import type { EventSpec } from "../events/outbox";
import { messageSearchTerms, termsInsert } from "./search-index";
import type { DB } from "../db/client";
import type { z } from "@hono/zod-openapi";
import type { MessageFields } from "../routes/messages/messages.schemas";

/** A message's fields, as the message routes' schema reads them. */
export type MessageInput = z.output<typeof MessageFields>;

/** Each id, or a subquery the batch resolves (a conversation created in it, one named by the path). */
export type MessageTarget = {
  accountId: number | SQL;
  inboxId: number | SQL;
  contactId: number | SQL;
  conversationId: number | SQL;
};

export type Sender =
  | { type: "User"; id: number | SQL }
  | { type: "Contact"; id: number | SQL }
  | { type: "AgentBot"; id: number | SQL };

/**
 * The statements that add one message and keep its conversation (and contact) in step:
 * last activity, the latest non-activity message, first reply time and waiting-since.
 * They go into the caller's batch, so the message and its effects land together, its search
 * words (message_terms) included.
 */
export function messageStatements(db: DB, target: MessageTarget, input: MessageInput, sender: Sender, at = Date.now()) {
  const type: MessageType = input.message_type ?? (sender.type === "Contact" ? "incoming" : "outgoing");
  const isPrivate = input.private ?? false;
  const insert = db
    .insert(messages)
    .values({
      accountId: target.accountId,
      inboxId: target.inboxId,
      conversationId: target.conversationId as number,
      content: input.content ?? null,
      messageType: type,
      contentType: input.content_type ?? "text",
      contentAttributes: input.content_attributes ?? {},
      additionalAttributes: input.template_params ? { template_params: input.template_params } : {},
      private: isPrivate,
      echoId: input.echo_id ?? null,
      sourceId: input.source_id ?? null,
      senderType: sender.type,
      senderId: sender.id,
      createdAt: at,
      updatedAt: at,
    })
    .returning();

  const conversationRef = target.conversationId;
  // The message just inserted: batches run one at a time, so it is the conversation's newest.
  const inserted = sql`(select max(${messages.id}) from ${messages}
    where ${messages.conversationId} = ${conversationRef})`;
  const set: Record<string, SQL | number | null> = {
    lastActivityAt: at,
    updatedAt: at,
    lastMessageId: sql`(select max(${messages.id}) from ${messages}
      where ${messages.conversationId} = ${conversationRef} and ${messages.messageType} <> 'activity')`,
  };
  if (type === "incoming") set.waitingSince = sql`coalesce(${conversations.waitingSince}, ${at})`;
  // A bot's reply is not an agent's first reply and leaves the contact waiting (Chatwoot's human_response?).
  if ((type === "outgoing" || type === "template") && !isPrivate && sender.type !== "AgentBot") {
    set.firstReplyCreatedAt = sql`coalesce(${conversations.firstReplyCreatedAt}, ${at})`;
    set.waitingSince = null;
  }
  const statements: BatchItem<"sqlite">[] = [
    db
      .update(conversations)
      .set(set)
      .where(eq(conversations.id, sql`${conversationRef}`)),
  ];
  if (type === "incoming") {
    statements.push(db.update(contacts).set({ lastActivityAt: at }).where(eq(contacts.id, target.contactId)));
  }
  const terms = messageSearchTerms(type, input.content);
  if (terms.length) {
    statements.push(
      termsInsert(db, { accountId: target.accountId, conversationId: conversationRef, messageId: inserted }, terms),
    );
  }
  const event: EventSpec = {
    event: "message_created",
    accountId: target.accountId,
    inboxId: target.inboxId,
    conversationId: target.conversationId,
    messageId: inserted,
    private: isPrivate,
  };
  return { insert, statements, event };
}
