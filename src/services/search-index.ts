import { and, eq, gt, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  contactGrams,
  contacts,
  gramPositions,
  messages,
  messageTerms,
  messageTermsBackfill,
  type MessageType,
} from "../db/schema";
import { containsText } from "../db/select";
import { prefixRange, queryWords, searchTerms } from "../lib/search-terms";
import type { DB } from "../db/client";

/**
 * The conversation search's word index (message_terms), kept in step with messages: message
 * writes add a message's words in their own batch, a delete swaps them, and the cron's backfill
 * indexes the messages written before the index existed.
 */

/** The messages search reads, as the `LIKE` search did before: replies, incoming ones and private notes alike. */
const SEARCHABLE: readonly MessageType[] = ["incoming", "outgoing"];

/** The words to index for a message; none for activity and template messages. */
export const messageSearchTerms = (type: MessageType, content: string | null | undefined) =>
  SEARCHABLE.includes(type) ? searchTerms(content) : [];

type TermsTarget = { accountId: number | SQL; conversationId: number | SQL; messageId: number | SQL };

/**
 * Inserts one message's words, bound as one JSON parameter (D1 binds at most 100 values a
 * statement); the ids may be subqueries for a message inserted earlier in the same batch.
 * The caller passes at least one term.
 */
export function termsInsert(db: DB, t: TermsTarget, terms: string[]) {
  return db
    .insert(messageTerms)
    .select(
      sql`select ${t.accountId}, value, ${t.conversationId}, ${t.messageId} from json_each(${JSON.stringify(terms)})`,
    );
}

/** A message's words, replaced by those of its new content (message delete); batchable. */
export function reindexStatements(
  db: DB,
  m: { id: number; accountId: number; conversationId: number; messageType: MessageType },
  content: string,
) {
  const terms = messageSearchTerms(m.messageType, content);
  const statements: BatchItem<"sqlite">[] = [db.delete(messageTerms).where(eq(messageTerms.messageId, m.id))];
  if (terms.length)
    statements.push(
      termsInsert(db, { accountId: m.accountId, conversationId: m.conversationId, messageId: m.id }, terms),
    );
  return statements;
}

/**
 * The list's message filter, as a subquery of conversation ids: conversations of the account
 * where every word of `q` starts some word of one of their messages (the words may sit in
 * different messages). Each word is one range scan of message_terms' key, so the cost follows
 * the matching rows, not the account's messages. The words' ranges are bound as one JSON
 * parameter and joined, so any number of words is one statement of fixed size: one INTERSECT a
 * word ran into D1's limit on compound SELECTs at six words, and one bound value a bound into
 * its 100 parameters soon after. Undefined when `q` has no word (only punctuation): it then
 * matches no message.
 */
export function conversationIdsWithWords(accountId: number, q: string): SQL | undefined {
  const words = queryWords(q);
  if (!words.length) return undefined;
  const ranges = JSON.stringify(words.map(prefixRange));
  return sql`select t.conversation_id from json_each(${ranges}) w
    join ${messageTerms} t on t.account_id = ${accountId}
      and t.term >= json_extract(w.value, '$[0]') and t.term < json_extract(w.value, '$[1]')
    group by t.conversation_id having count(distinct w.key) = ${words.length}`;
}

/** Messages the backfill reads per round. */
const BACKFILL_BATCH = 500;
/** Per cron tick: at most this many rounds (5,000 messages), and no new round after this long. */
const BACKFILL_ROUNDS = 10;
const BACKFILL_MS = 10_000;
/**
 * How long after its first run the backfill still takes in the newest messages (a rolling deploy's old
 * version may write them).
 */
export const BACKFILL_GRACE_MS = 15 * 60_000;
/** [message id, term, deleted] triples per insert statement: keeps each JSON parameter well under D1's 2 MB. */
const TRIPLES_PER_STATEMENT = 2_000;

const cursor = (column: "next_id" | "end_id") => sql.raw(`(select ${column} from message_terms_backfill where id = 1)`);
/** Whether a message is deleted (content replaced); that is the only change to a message's content. */
const deleted = (m: string) => sql.raw(`coalesce(${m}.content_attributes ->> '$.deleted', 0)`);

const newestMessage = sql`(select coalesce(max(${messages.id}), 0) from ${messages})`;

/** Makes the cursor on the first pass: everything up to the newest message may predate the index. */
export const backfillCursorStart = (db: DB, now: number) =>
  db.insert(messageTermsBackfill).select(sql`select 1, 0, ${newestMessage}, ${now} where true`).onConflictDoNothing();

/** Within the grace period, the end moves up to the newest message; after it, this changes nothing. */
const extendCursor = (db: DB, now: number) =>
  db
    .update(messageTermsBackfill)
    .set({ endId: sql`max(${messageTermsBackfill.endId}, ${newestMessage})` })
    .where(and(eq(messageTermsBackfill.id, 1), gt(messageTermsBackfill.startedAt, now - BACKFILL_GRACE_MS)));

/** With nothing left between the cursor and its end (deleted messages leave gaps), the cursor jumps to the end. */
const closeCursorGap = (db: DB) =>
  db
    .update(messageTermsBackfill)
    .set({ nextId: sql`${messageTermsBackfill.endId}` })
    .where(
      and(
        eq(messageTermsBackfill.id, 1),
        sql`not exists (select 1 from ${messages} where ${messages.id} > ${cursor("next_id")}
          and ${messages.id} <= ${cursor("end_id")})`,
      ),
    );

/** The next messages the backfill indexes: a rowid range from the cursor. */
export const backfillPending = (db: DB) =>
  db
    .select({
      id: messages.id,
      messageType: messages.messageType,
      content: messages.content,
      deleted: sql<number>`${deleted("messages")}`.mapWith(Number),
    })
    .from(messages)
    .where(sql`${messages.id} > ${cursor("next_id")} and ${messages.id} <= ${cursor("end_id")}`)
    .orderBy(messages.id)
    .limit(BACKFILL_BATCH);

/**
 * One round of the backfill, in two round trips: make, extend or close the cursor and read the
 * next messages, then write all their words and move the cursor in one batch (one transaction). Words go in
 * only for messages still
 * as they were read: one deleted in between already has the words of its new content.
 */
async function backfillRound(db: DB): Promise<number> {
  const now = Date.now();
  const [, , rows] = await db.batch([
    backfillCursorStart(db, now),
    extendCursor(db, now),
    backfillPending(db),
    closeCursorGap(db),
  ]);
  if (!rows.length) return 0;
  const triples = rows.flatMap((m) =>
    messageSearchTerms(m.messageType, m.content).map((term) => [m.id, term, m.deleted]),
  );
  const statements: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < triples.length; i += TRIPLES_PER_STATEMENT) {
    const chunk = JSON.stringify(triples.slice(i, i + TRIPLES_PER_STATEMENT));
    statements.push(
      db
        .insert(messageTerms)
        .select(sql`select m.account_id, p.value ->> 1, m.conversation_id, m.id
          from json_each(${chunk}) p join ${messages} m on m.id = p.value ->> 0 where ${deleted("m")} = p.value ->> 2`)
        .onConflictDoNothing(),
    );
  }
  const last = rows[rows.length - 1].id;
  statements.push(
    db
      .update(messageTermsBackfill)
      .set({ nextId: sql`max(${messageTermsBackfill.nextId}, ${last})` })
      .where(eq(messageTermsBackfill.id, 1)),
  );
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return rows.length;
}

/**
 * The cron's share of the backfill: rounds until the cursor reaches its end, or up to 5,000
 * messages or 10 s per tick, so a large backlog is worked off over several minutes without
 * holding the database. Once done, a tick costs one round trip that reads nothing.
 * Returns how many messages it went through.
 */
export async function backfillSearchIndex(db: DB): Promise<number> {
  const started = Date.now();
  let visited = 0;
  for (let round = 0; round < BACKFILL_ROUNDS && Date.now() - started < BACKFILL_MS; round++) {
    const n = await backfillRound(db);
    visited += n;
    if (n < BACKFILL_BATCH) break;
  }
  return visited;
}

/** A search this short has no trigram: it reads the account's contacts. */
const GRAM = 3;

/**
 * The ids of the account's contacts with one of `columns` containing `q` (ignoring
 * ASCII case, as `containsText`). From three characters on, the trigram index (contact_grams)
 * names the candidates, those holding every trigram of `q`, and only they are checked for the
 * substring; a shorter `q` checks every contact of the account.
 */
export function contactIdsContaining(accountId: number, q: string, columns: SQLiteColumn[]): SQL {
  const contains = or(...columns.map((column) => containsText(column, q)))!;
  if ([...q].length < GRAM)
    return sql`select ${contacts.id} from ${contacts} where ${contacts.accountId} = ${accountId} and ${contains}`;
  const grams = sql`select substr(lower(${q}), p.i, ${GRAM}) as gram from ${gramPositions} p
    where p.i <= length(${q}) - ${GRAM - 1}`;
  const candidates = sql`select g.contact_id from ${contactGrams} g
    where g.account_id = ${accountId} and g.gram in (${grams})
    group by g.contact_id
    having count(distinct g.gram) = (select count(distinct gram) from (${grams}))`;
  return sql`select ${contacts.id} from ${contacts} where ${contacts.id} in (${candidates}) and ${contains}`;
}
