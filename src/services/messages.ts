import { and, asc, desc, eq, gt, lt, sql, type SQL } from "drizzle-orm";
import { type MessageWithSender, readMessages, withSenders } from "../views/messages";
import type { BatchItem } from "drizzle-orm/batch";
import {
  accounts,
  accountUsers,
  attachments,
  conversations,
  deliveries,
  events,
  inboxes,
  inboxMembers,
  messages,
  type MessageStatus,
} from "../db/schema";
import { routeStatements } from "./routing";
import { dbErrorText, isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import { redeliver } from "../events/queue";
import type { ConversationView } from "../serializers/conversation";
import type { Outbox } from "../events/outbox";
import type { AgentContext, ServiceContext } from "./context";
import { attachmentInserts, prepareAttachments, uploadsTaken } from "./attachments";
import { deleteObjects, findUploads, type UploadScope } from "./uploads";
import { messageStatements, type Sender } from "./message-writes";
import { agentMessageEffects } from "./mentions";
import { type OutOfOfficeCheck, outOfOfficeCheck, outOfOfficeRead } from "./auto-replies";
import type { z } from "@hono/zod-openapi";
import type { MessageCreateBody } from "../routes/messages/messages.schemas";
import { reindexStatements } from "./search-index";
import type { MessageRow, StoredAttachment } from "../db/schema";
import type { DB } from "../db/client";

export const MESSAGES_PER_PAGE = 20;

/**
 * Chatwoot's paging: the latest 20; `before` → 20 older; `after` → up to 100 newer;
 * both → up to 1000 between. Always ascending.
 */
export async function listMessages(
  { db }: ServiceContext,
  conversationId: number,
  page: { before?: number; after?: number },
) {
  const inConversation = eq(messages.conversationId, conversationId);
  const q = withSenders(db);
  if (page.after !== undefined) {
    const where = and(
      inConversation,
      gt(messages.id, page.after),
      page.before ? lt(messages.id, page.before) : undefined,
    );
    return readMessages(
      await q
        .where(where)
        .orderBy(asc(messages.id))
        .limit(page.before ? 1000 : 100),
    );
  }
  const where = and(inConversation, page.before ? lt(messages.id, page.before) : undefined);
  const rows = await q.where(where).orderBy(desc(messages.id)).limit(MESSAGES_PER_PAGE);
  return readMessages(rows).reverse();
}

/**
 * A message written. `outOfOffice`: a contact's message in an inbox that answers out of office,
 * for `replyOutOfOffice` to answer if it arrived while closed.
 */
export type CreatedMessage = {
  message: MessageRow;
  attachments: StoredAttachment[];
  replayed: boolean;
  outOfOffice?: OutOfOfficeCheck;
};

const isEchoRepeat = (err: unknown) =>
  isUniqueViolation(err) && /echo_id|messages_conversation_echo_uq/.test(dbErrorText(err));

/**
 * Adds a message as the caller (incoming ones are the contact's; an agent bot's are sent as the
 * bot, `sender_type` AgentBot) with its effects, in one batch.
 * An `echo_id` names one message per conversation: a repeat (even a concurrent one, which the
 * unique index turns away) returns the message already stored, with `replayed`.
 * Files go to `bucket` before the batch, and are deleted again if it fails; uploads named by blob
 * id are the caller's own (an agent's: the account's agent uploads; a contact's: its own in the
 * conversation's inbox) and are taken in the batch.
 */
export async function createMessage(
  ctx: ServiceContext,
  v: ConversationView,
  input: z.output<typeof MessageCreateBody>,
  bucket: R2Bucket,
): Promise<CreatedMessage> {
  const c = v.conversation;
  const now = Date.now();
  const scope: UploadScope = ctx.actor
    ? { accountId: c.accountId, inboxId: null, contactId: null }
    : { accountId: c.accountId, inboxId: c.inboxId, contactId: c.contactId };
  const prepared = await prepareAttachments(bucket, ctx.db, scope, input.attachments, now);
  const files = prepared.files;
  const incoming = input.message_type === "incoming";
  if (!incoming && !ctx.actor) throw new Error("an agent message needs an agent");
  const bot = ctx.actor?.bot?.bot;
  const sender: Sender = incoming
    ? { type: "Contact", id: v.contact.id }
    : bot
      ? { type: "AgentBot", id: bot.id }
      : { type: "User", id: ctx.actor!.user.id };
  const target = { accountId: c.accountId, inboxId: c.inboxId, contactId: c.contactId, conversationId: c.id };
  const { insert, statements, event } = messageStatements(
    ctx.db,
    target,
    { ...input, private: incoming ? false : input.private },
    sender,
  );
  const latest = sql`(select max(id) from messages where conversation_id = ${c.id})`;
  const batch: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    insert,
    ...statements,
    ...attachmentInserts(ctx.db, c.accountId, latest, files),
    ...uploadsTaken(ctx.db, prepared.uploadIds, now),
    ...ctx.outbox.record(event),
    ...(incoming
      ? [...continuityStatements(ctx.db, ctx.outbox, { ...target, conversation: c.id }), outOfOfficeRead(ctx.db, c.id)]
      : sender.type === "User"
        ? agentMessageEffects(ctx.db, ctx.outbox, { ...target, messageId: latest, authorId: sender.id }, input)
        : []),
  ];
  try {
    const [inserted, ...rest] = (await ctx.db.batch(batch)) as [MessageRow[], ...unknown[]];
    const stored = rest.slice(statements.length, statements.length + files.length) as StoredAttachment[][];
    const outOfOffice = incoming ? outOfOfficeCheck(rest) : undefined;
    return { message: inserted[0], attachments: stored.map((r) => r[0]), replayed: false, outOfOffice };
  } catch (err) {
    await deleteObjects(bucket, ctx.db, prepared.put);
    if (prepared.uploadIds.length && !isEchoRepeat(err)) await refuseTakenUploads(ctx.db, scope, input, err);
    if (!input.echo_id || !isEchoRepeat(err)) throw err;
    const [first] = readMessages(
      await withSenders(ctx.db).where(and(eq(messages.conversationId, c.id), eq(messages.echoId, input.echo_id))),
    );
    if (!first) throw err;
    return { message: first.message, attachments: first.attachments, replayed: true };
  }
}

/**
 * After a batch with uploads failed: if one of them went meanwhile (taken by another message,
 * expired and pruned), a 422 naming it; otherwise the batch's own error.
 */
async function refuseTakenUploads(
  db: DB,
  scope: UploadScope,
  input: z.output<typeof MessageCreateBody>,
  err: unknown,
): Promise<never> {
  const refs = input.attachments ?? [];
  const ids = refs.flatMap((r) => (r instanceof File ? [] : [r.blobId]));
  const found = await findUploads(db, scope, ids);
  const gone = refs.flatMap((r, i) =>
    r instanceof File || found.has(r.blobId) ? [] : [{ field: `attachments.${i}`, message: "is no longer available" }],
  );
  if (gone.length) throw unprocessable("Attachment blob_id is no longer available (taken or expired)", gone);
  throw err;
}

/**
 * An agent's reply or note, written in the same batch as the token check (one round trip for the
 * whole request): its first statement fails, rolling the batch back, unless the caller (`callerId`,
 * the credential's user as a subquery) is a member of the account, the account is not suspended,
 * and the conversation exists there and is the caller's to see (an administrator, or a member of
 * its inbox), which is what authentication and the conversation preload then check. The message
 * row comes back from the statement after it (`insertedMessage`). An incoming message (the
 * contact's, as an integrator relays it) has its effects decided in SQL (`continuityStatements`);
 * an agent's, its participation and mentions (`agentMessageEffects`).
 * Messages with files are not written this way.
 */
export function agentMessageStatements(
  db: DB,
  outbox: Outbox,
  accountId: number,
  displayId: number,
  callerId: SQL,
  input: z.output<typeof MessageCreateBody>,
): BatchItem<"sqlite">[] {
  if (input.attachments?.length) return [];
  const incoming = input.message_type === "incoming";
  const conversation = sql`(select ${conversations.id} from ${conversations}
    where ${conversations.accountId} = ${accountId} and ${conversations.displayId} = ${displayId})`;
  const inbox = sql`(select ${conversations.inboxId} from ${conversations}
    where ${conversations.id} = ${conversation})`;
  const allowed = sql`${conversation} is not null and exists (select 1 from ${accountUsers} m
    join ${accounts} a on a.id = m.account_id
    where m.account_id = ${accountId} and m.user_id = ${callerId} and a.status <> 'suspended'
      and (m.role = 'administrator' or exists (select 1 from ${inboxMembers} im
        where im.user_id = ${callerId} and im.inbox_id = ${inbox})))`;
  const contact = sql`(select ${conversations.contactId} from ${conversations}
    where ${conversations.id} = ${conversation})`;
  const target = { accountId, inboxId: inbox, contactId: contact, conversationId: conversation };
  const sender = incoming ? { type: "Contact" as const, id: contact } : { type: "User" as const, id: callerId };
  const { insert, statements, event } = messageStatements(
    db,
    target,
    { ...input, private: incoming ? false : input.private },
    sender,
  );
  return [
    refusedUnless(db, allowed),
    insert,
    ...statements,
    ...outbox.record(event),
    ...(incoming
      ? [...continuityStatements(db, outbox, { ...target, conversation }), outOfOfficeRead(db, conversation)]
      : agentMessageEffects(db, outbox, { ...target, messageId: event.messageId!, authorId: callerId }, input)),
  ];
}

/**
 * The first statement of a write made with its permission check: it fails unless `allowed` holds
 * (json() of a non-JSON text raises an error), so D1 stops and rolls the batch back and nothing
 * is written.
 */
export const refusedUnless = (db: DB, allowed: SQL) =>
  db
    .select({ allowed: sql<number>`case when ${allowed} then 1 else json('refused') end` })
    .from(sql`(select 1) as one`);

/**
 * The message `agentMessageStatements` or `contactMessageStatements` wrote, from its batch's
 * results (the insert follows the guard).
 */
export const insertedMessage = (written: unknown[]): CreatedMessage => ({
  message: (written[1] as MessageRow[])[0],
  attachments: [],
  replayed: false,
  outOfOffice: outOfOfficeCheck(written),
});

/** Where a contact's message lands: ids, or subqueries the batch resolves (the one-round-trip write). */
export type ContactTarget = {
  accountId: number | SQL;
  inboxId: number | SQL;
  contactId: number | SQL;
  conversation: number | SQL;
};

/**
 * A contact writing again, decided in the batch from the conversation's state when it runs: a
 * resolved conversation reopens (if the inbox allows messages after resolution; pending, held by
 * the bot, when the inbox has an agent bot) and a snoozed
 * one wakes up (`conversation_status_changed` and `conversation_updated`), then is routed if
 * nobody holds it; a conversation held by an agent who is not online goes to one who is
 * (`reassign_when_offline`). Both events are recorded before the reopening, while the previous
 * status can still be read; the reopening and the routing follow only if they were.
 */
export function continuityStatements(db: DB, outbox: Outbox, t: ContactTarget, at = Date.now() + 1) {
  const conversation = t.conversation;
  const reopens = sql`exists (select 1 from ${conversations} c join ${inboxes} i on i.id = c.inbox_id
    where c.id = ${conversation}
      and (c.status = 'snoozed' or (c.status = 'resolved' and i.allow_messages_after_resolved = 1)))`;
  // A resolved conversation of an inbox with an agent bot goes back to the bot, pending (as Chatwoot).
  const inboxBot = sql`(select agent_bot_id from inboxes where id = ${conversations.inboxId})`;
  const toBot = sql`${conversations.status} = 'resolved' and ${inboxBot} is not null`;
  const reopenedAs = sql`case when ${toBot} then 'pending' else 'open' end`;
  const changed = sql`(select json_object('changed_attributes', json_array(json_object('status',
    json_object('previous_value', status, 'current_value', ${reopenedAs}))))
    from ${conversations} where id = ${conversation})`;
  const spec = {
    accountId: t.accountId,
    inboxId: t.inboxId,
    conversationId: conversation,
    contactId: t.contactId,
    when: reopens,
    dataSql: changed,
  };
  const status = outbox.recordEvent({ ...spec, event: "conversation_status_changed" });
  const reopened = sql`exists (select 1 from ${events} where ${events.uid} = ${status.uid})`;
  return [
    ...status.statements,
    ...outbox.record({ ...spec, event: "conversation_updated" }),
    db
      .update(conversations)
      .set({
        status: reopenedAs as unknown as "open",
        assigneeAgentBotId: sql`case when ${toBot} then ${inboxBot} else ${conversations.assigneeAgentBotId} end`,
        snoozedUntil: null,
        updatedAt: at,
      })
      .where(sql`${conversations.id} = ${conversation} and ${reopened}`),
    ...routeStatements(
      db,
      outbox,
      { accountId: t.accountId, inboxId: t.inboxId, conversation, returningContact: { reopened } },
      at,
    ),
  ];
}

/** Preload for message routes: one message of the conversation in the path. */
export function messagePreload(db: DB, accountId: number, displayId: number, messageId: number) {
  return withSenders(db).where(
    and(
      eq(messages.id, messageId),
      eq(messages.accountId, accountId),
      eq(
        messages.conversationId,
        sql`(select id from conversations where account_id = ${accountId} and display_id = ${displayId})`,
      ),
    ),
  );
}

export function preloadedMessage(rows: unknown): MessageWithSender {
  const row = (rows as unknown[])[0];
  if (!row) throw notFound("Message");
  return readMessages([row])[0];
}

export const DELETED_CONTENT = "This message was deleted";

/** `message_updated` for this message; `only: "account"` leaves out the inbox's webhook_url. */
const updatedEvent = (outbox: Outbox, m: MessageRow, only?: "account") =>
  outbox.record({
    event: "message_updated",
    accountId: m.accountId,
    inboxId: m.inboxId,
    conversationId: m.conversationId,
    messageId: m.id,
    private: m.private,
    only,
  });

/**
 * Soft delete, as Chatwoot: the content is replaced and `content_attributes.deleted` set. The old
 * words leave the search index in the same batch: a deleted message is not found by them.
 */
export async function deleteMessage(ctx: AgentContext, m: MessageRow): Promise<MessageRow> {
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(messages)
      .set({
        content: DELETED_CONTENT,
        contentAttributes: { ...m.contentAttributes, deleted: true },
        updatedAt: Date.now(),
      })
      .where(eq(messages.id, m.id))
      .returning(),
    ctx.db.delete(attachments).where(eq(attachments.messageId, m.id)),
    ...reindexStatements(ctx.db, m, DELETED_CONTENT),
    ...updatedEvent(ctx.outbox, m),
  ]);
  return updated[0];
}

const RANK: Record<MessageStatus, number> = { sent: 0, delivered: 1, read: 2, failed: -1 };

/**
 * Delivery status from the integrator. A status never moves backwards (read → delivered is
 * ignored, as Chatwoot does); `failed` may always be set and keeps `external_error`.
 */
export async function updateMessageStatus(
  ctx: AgentContext,
  m: MessageRow,
  status: MessageStatus,
  externalError?: string,
) {
  if (status !== "failed" && m.status !== "failed" && RANK[status] <= RANK[m.status]) return m;
  const contentAttributes = { ...m.contentAttributes };
  if (status === "failed") contentAttributes.external_error = externalError ?? "Delivery failed";
  else delete contentAttributes.external_error;
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(messages)
      .set({ status, contentAttributes, updatedAt: Date.now() })
      .where(eq(messages.id, m.id))
      .returning(),
    ...updatedEvent(ctx.outbox, m),
  ]);
  return updated[0];
}

/**
 * Re-sends a `failed` message to the API inbox's webhook_url: the message is `sent` again and
 * the delivery of its `message_created` is redelivered with the same `webhook-id` (or, when
 * there was none, a new event goes to the inbox alone).
 */
export async function retryMessage(ctx: AgentContext, queue: Queue, m: MessageRow): Promise<MessageRow> {
  if (m.status !== "failed")
    throw unprocessable("Only failed messages can be retried", [{ field: "status", message: "is not failed" }]);
  const { external_error: _dropped, ...contentAttributes } = m.contentAttributes;
  const [updated, ...rest] = await ctx.db.batch([
    ctx.db
      .update(messages)
      .set({ status: "sent", contentAttributes, updatedAt: Date.now() })
      .where(eq(messages.id, m.id))
      .returning(),
    ...updatedEvent(ctx.outbox, m),
    ctx.db
      .select({ id: deliveries.id })
      .from(deliveries)
      .innerJoin(events, eq(events.id, deliveries.eventId))
      .where(and(eq(events.messageId, m.id), eq(events.event, "message_created"), eq(deliveries.inboxId, m.inboxId)))
      .limit(1),
  ]);
  const previous = rest[rest.length - 1] as { id: number }[];
  if (previous[0]) {
    await redeliver(ctx.db, queue, ctx.accountId, previous[0].id, { inboxId: m.inboxId });
  } else {
    await ctx.db.batch(
      ctx.outbox.record({
        event: "message_created",
        accountId: m.accountId,
        inboxId: m.inboxId,
        conversationId: m.conversationId,
        messageId: m.id,
        private: m.private,
        only: "inbox",
      }) as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
    );
  }
  return updated[0];
}

/**
 * An agent's reply that can no longer reach the API inbox's webhook_url (its delivery failed for
 * good) becomes `failed`, with `content_attributes.external_error`; the account's other targets
 * hear of it (`message_updated`, not sent to the inbox that failed). Incoming messages and notes
 * are left alone.
 */
export async function failUndeliveredReply(db: DB, outbox: Outbox, messageId: number, error: string) {
  const [m] = await db.select().from(messages).where(eq(messages.id, messageId));
  if (!m || (m.messageType !== "outgoing" && m.messageType !== "template")) return;
  await db.batch([
    db
      .update(messages)
      .set({
        status: "failed",
        contentAttributes: { ...m.contentAttributes, external_error: error },
        updatedAt: Date.now(),
      })
      .where(eq(messages.id, m.id)),
    ...updatedEvent(outbox, m, "account"),
  ]);
}
