import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { conversations, inboxes, messages, type WorkingHours } from "../db/schema";
import { closedSince, isTimeZone, weekSchedule } from "../lib/business-hours";
import type { Outbox } from "../events/outbox";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";

/**
 * The inbox's own messages: the greeting of a new conversation and the out-of-office answer.
 * Both are outgoing `template` messages with no sender, told apart by
 * `content_attributes.auto_reply`, and announced with `message_created` like an agent's reply
 * (account webhooks, the inbox's webhook_url, realtime sockets). Neither counts as the
 * conversation's first reply, nor stops it waiting for an agent.
 */

type Ref = number | SQL;

/** The inbox's template message (every messages column, in table order), from `inboxes i` where `where`. */
function templateInsert(
  db: DB,
  t: { accountId: Ref; conversationId: Ref },
  message: { content: SQL; attributes: object; at: number },
  where: SQL,
) {
  const { content, attributes, at } = message;
  return db.insert(messages).select(sql`select null, ${t.accountId}, i.id, ${t.conversationId}, ${content},
    'template', 'text', ${JSON.stringify(attributes)}, '{}', 0, 'sent', null, null, null, null, ${at}, ${at}
    from ${inboxes} i where ${where}`);
}

/** The conversation's newest message that is not an activity: the one just inserted. */
const latestMessage = (conversationId: Ref) => sql`(select max(${messages.id}) from ${messages}
  where ${messages.conversationId} = ${conversationId} and ${messages.messageType} <> 'activity')`;

/**
 * The greeting of a conversation created earlier in the same batch: inserted from the inbox row
 * as the batch runs, only if the inbox has `greeting_enabled` and a greeting, and its
 * `message_created` recorded on the same condition. Put right after the conversation's insert,
 * before any other message of it.
 */
export function greetingStatements(
  db: DB,
  outbox: Outbox,
  t: { accountId: number; inboxId: number; conversationId: SQL; at: number },
): BatchItem<"sqlite">[] {
  const greets = sql`i.id = ${t.inboxId} and i.greeting_enabled = 1 and trim(coalesce(i.greeting_message, '')) <> ''`;
  const greeted = sql`exists (select 1 from ${inboxes} i where ${greets})`;
  const latest = latestMessage(t.conversationId);
  return [
    templateInsert(
      db,
      t,
      { content: sql`i.greeting_message`, attributes: { auto_reply: "greeting" }, at: t.at },
      greets,
    ),
    ...outbox.record({
      event: "message_created",
      accountId: t.accountId,
      inboxId: t.inboxId,
      conversationId: t.conversationId,
      messageId: latest,
      when: greeted,
    }),
    db
      .update(conversations)
      .set({ lastMessageId: latest })
      .where(and(eq(conversations.id, sql`${t.conversationId}`), greeted)),
  ];
}

/** What an incoming message's batch reads back for the out-of-office answer (`outOfOfficeRead`). */
export type OutOfOfficeCheck = {
  conversationId: number;
  accountId: number;
  inboxId: number;
  workingHours: WorkingHours[];
  timezone: string;
  outOfOfficeMessage: string;
  /** The closed period (unix seconds) the conversation's latest out-of-office answer was for. */
  answeredSince: number | null;
};

/**
 * For a contact's message, in its batch: the conversation's inbox hours, but only if the inbox
 * answers out of office (`working_hours_enabled` and a message), with the period its latest answer
 * was for. Nothing else is read, so the common case (no hours, or open, or already answered)
 * costs no more round trips; `outOfOfficeCheck` finds the row.
 */
export function outOfOfficeRead(db: DB, conversationId: Ref) {
  return db
    .select({
      conversationId: conversations.id,
      accountId: conversations.accountId,
      inboxId: conversations.inboxId,
      workingHours: inboxes.workingHours,
      timezone: inboxes.timezone,
      outOfOfficeMessage: inboxes.outOfOfficeMessage,
      answeredSince: sql<number | null>`(select json_extract(m.content_attributes, '$.closed_since')
        from ${messages} m where m.conversation_id = ${conversations.id} and m.message_type = 'template'
          and json_extract(m.content_attributes, '$.auto_reply') = 'out_of_office'
        order by m.id desc limit 1)`,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(
      sql`${conversations.id} = ${conversationId} and ${inboxes.workingHoursEnabled} = 1
        and trim(coalesce(${inboxes.outOfOfficeMessage}, '')) <> ''`,
    );
}

/** The row `outOfOfficeRead` returned, among a batch's results (none: the inbox does not answer). */
export function outOfOfficeCheck(results: readonly unknown[]): OutOfOfficeCheck | undefined {
  for (const r of results) {
    const row = Array.isArray(r) ? (r[0] as Record<string, unknown> | undefined) : undefined;
    if (row && "outOfOfficeMessage" in row && "workingHours" in row) return row as OutOfOfficeCheck;
  }
  return undefined;
}

/**
 * The out-of-office answer for the closed period that began at `since` (ms): inserted unless the
 * conversation already has the answer for that period (`content_attributes.closed_since`, unix
 * seconds), so repeats and concurrent messages get one answer per conversation per period. Its
 * `message_created` is recorded only when the insert added the row (`changes()` reads the
 * statement just before it).
 */
export function outOfOfficeStatements(db: DB, outbox: Outbox, o: OutOfOfficeCheck, since: number, at: number) {
  const closed = Math.floor(since / 1000);
  const answered = sql`exists (select 1 from ${messages} m where m.conversation_id = ${o.conversationId}
    and m.message_type = 'template' and json_extract(m.content_attributes, '$.auto_reply') = 'out_of_office'
    and json_extract(m.content_attributes, '$.closed_since') = ${closed})`;
  const latest = latestMessage(o.conversationId);
  const reply = {
    content: sql`${o.outOfOfficeMessage}`,
    attributes: { auto_reply: "out_of_office", closed_since: closed },
    at,
  };
  return [
    templateInsert(db, o, reply, sql`i.id = ${o.inboxId} and not ${answered}`),
    ...outbox.record({
      event: "message_created",
      accountId: o.accountId,
      inboxId: o.inboxId,
      conversationId: o.conversationId,
      messageId: latest,
      when: sql`changes() = 1`,
    }),
    db
      .update(conversations)
      .set({ lastMessageId: latest, lastActivityAt: at, updatedAt: at })
      .where(sql`${conversations.id} = ${o.conversationId} and ${answered}`),
  ] as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
}

/**
 * Answers a contact's message that arrived while the inbox is closed (`created.outOfOffice`, read
 * in the message's batch; none when the inbox does not answer out of office): one more batch, only
 * when an answer is due. A failure is logged, not thrown: the message itself is already stored.
 */
export async function replyOutOfOffice(
  ctx: Pick<ServiceContext, "db" | "outbox">,
  created: { outOfOffice?: OutOfOfficeCheck },
  at = Date.now(),
) {
  const o = created.outOfOffice;
  if (!o) return;
  // The week as the inbox JSON shows it: a day never stored has Chatwoot's default hours.
  const since = closedSince(weekSchedule(o.workingHours ?? []), isTimeZone(o.timezone) ? o.timezone : "UTC", at);
  if (since === null || Math.floor(since / 1000) === o.answeredSince) return;
  try {
    await ctx.db.batch(outOfOfficeStatements(ctx.db, ctx.outbox, o, since, at));
  } catch (err) {
    // The contact's message is stored: answering it is not worth failing (and repeating) the request.
    console.error(
      JSON.stringify({ event: "out_of_office_failed", conversation_id: o.conversationId, error: String(err) }),
    );
  }
}
