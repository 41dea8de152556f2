import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { conversations, events, messages } from "../db/schema";
import { countingD1, type D1Stats } from "../lib/d1-counter";
import { Outbox } from "../events/outbox";
import { type PublishEnv, publishCommitted } from "../events/publish";
import { activityText } from "./activity";
import { AUTOMATION, routeStatements } from "./routing";
import type { DB } from "../db/client";

/** Conversations woken per batch, and batches per cron run: the rest wake on the next run. */
export const WAKE_CHUNK = 10;
export const WAKE_MAX_CHUNKS = 5;

export type DueConversation = { id: number; accountId: number; inboxId: number; contactId: number };

/** Snoozed conversations whose `snoozed_until` (ms) has passed, the longest overdue first. */
export function dueQuery(db: DB, now: number, limit = WAKE_CHUNK) {
  return db
    .select({
      id: conversations.id,
      accountId: conversations.accountId,
      inboxId: conversations.inboxId,
      contactId: conversations.contactId,
    })
    .from(conversations)
    .where(and(eq(conversations.status, "snoozed"), lte(conversations.snoozedUntil, now)))
    .orderBy(asc(conversations.snoozedUntil))
    .limit(limit);
}

/**
 * The statements that wake one due conversation, as an agent's reopen does: status back to open,
 * `conversation_status_changed` and `conversation_updated` with the status and `snoozed_until`
 * changes, the activity message (in the name of Chatwoot's "Automation System") and routing when
 * nobody holds it. Exactly once: the status event is recorded only if the conversation is still
 * snoozed and due when the batch runs, and everything after it applies only if that event was
 * recorded, so a second run that read the same conversation (overlapping crons) changes nothing.
 */
export function wakeStatements(db: DB, outbox: Outbox, d: DueConversation, now: number, at = Date.now()) {
  const id = d.id;
  const asleep = sql`exists (select 1 from ${conversations} where id = ${id} and status = 'snoozed'
    and snoozed_until <= ${now})`;
  // Read before the update below, while the row still holds what it was.
  const changed = sql`(select json_object('changed_attributes', json_array(
      json_object('status', json_object('previous_value', status, 'current_value', 'open')),
      json_object('snoozed_until', json_object('previous_value', snoozed_until / 1000, 'current_value', null))))
    from ${conversations} where id = ${id})`;
  const spec = {
    accountId: d.accountId,
    inboxId: d.inboxId,
    conversationId: id,
    contactId: d.contactId,
    dataSql: changed,
  };
  const status = outbox.recordEvent({ ...spec, event: "conversation_status_changed", when: asleep });
  const woke = sql`exists (select 1 from ${events} where ${events.uid} = ${status.uid})`;
  const before: BatchItem<"sqlite">[] = [
    ...status.statements,
    ...outbox.record({ ...spec, event: "conversation_updated", when: woke }),
    // Every messages column in table order (drizzle's insert-select lists them all).
    db.insert(messages).select(sql`select null, ${d.accountId}, ${d.inboxId}, ${id},
        ${activityText.status("open", AUTOMATION)}, 'activity', 'text', '{}', '{}', 0, 'sent',
        null, null, null, null, ${at}, ${at}
      where ${woke}`),
  ];
  const update = db
    .update(conversations)
    .set({ status: "open", snoozedUntil: null, updatedAt: at })
    .where(sql`${conversations.id} = ${id} and ${woke}`)
    .returning({ id: conversations.id });
  const route = routeStatements(
    db,
    outbox,
    { accountId: d.accountId, inboxId: d.inboxId, conversation: id, when: woke },
    at + 1,
  );
  /** `woken`: where the update is in `statements`; its result lists the row if this batch woke it. */
  return { statements: [...before, update, ...route], woken: before.length };
}

/**
 * Wakes the conversations due at `now`, `chunk` a batch (one round trip each, after the read of
 * the due ones), at most `chunks` batches. Returns how many this call woke.
 */
export async function wakeDue(
  db: DB,
  outbox: Outbox,
  now = Date.now(),
  opts: { chunk?: number; chunks?: number } = {},
): Promise<number> {
  const chunk = opts.chunk ?? WAKE_CHUNK;
  const chunks = opts.chunks ?? WAKE_MAX_CHUNKS;
  let woken = 0;
  for (let i = 0; i < chunks; i++) {
    const due = await dueQuery(db, now, chunk);
    if (due.length === 0) break;
    const statements: BatchItem<"sqlite">[] = [];
    const updates: number[] = [];
    for (const d of due) {
      const wake = wakeStatements(db, outbox, d, now);
      updates.push(statements.length + wake.woken);
      statements.push(...wake.statements);
    }
    const results = (await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown[][];
    woken += updates.filter((at) => results[at].length > 0).length;
    if (due.length < chunk) break;
  }
  return woken;
}

/**
 * The cron's wake-up pass: its own D1 client and an observed outbox, so only the events that
 * committed (not those a `when` left out) are published to webhooks and sockets.
 */
export async function wakeSnoozed(env: PublishEnv & { DB: D1Database }, now = Date.now()): Promise<number> {
  const stats: D1Stats = { roundTrips: 0, ms: 0 };
  let outbox: Outbox | undefined;
  const db = drizzle(countingD1(env.DB, stats, (results) => outbox?.observe(results)));
  outbox = new Outbox(db, "", true);
  const woken = await wakeDue(db, outbox, now);
  await publishCommitted(env, outbox);
  return woken;
}
