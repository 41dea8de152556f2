import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { messages } from "./messages";

/**
 * The word index behind the conversation list's `q`: one row per distinct word of a searchable
 * message (see src/lib/search-terms.ts). An ordinary table, not FTS5, because
 * `wrangler d1 export` refuses databases holding virtual tables. The key leads with
 * (account_id, term) so a word prefix is one range scan of the caller's account, and carries
 * conversation_id so that scan answers "which conversations" from the index alone.
 */
export const messageTerms = sqliteTable(
  "message_terms",
  {
    accountId: integer("account_id").notNull(),
    term: text("term").notNull(),
    conversationId: integer("conversation_id").notNull(),
    messageId: integer("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.term, t.conversationId, t.messageId] }),
    // Removing a message's words (message delete, and the cascades from its conversation up).
    index("message_terms_message_idx").on(t.messageId),
  ],
);

/**
 * The backfill's cursor (one row, id 1): messages with next_id < id <= end_id are still to be
 * indexed by the cron. The row is made by the first backfill pass that runs the indexing code
 * (at started_at), with end_id the newest message then: every message up to it may predate the
 * index. For a grace period after that, end_id keeps moving up to the newest message, because
 * the previous version may still be serving somewhere while a deploy rolls out and writes
 * messages without their words; after it, every new message was indexed by its own write. A cursor rather
 * than a flag on messages: the conversation
 * views already select 100 columns (D1's limit) and include every messages column.
 */
export const messageTermsBackfill = sqliteTable("message_terms_backfill", {
  id: integer("id").primaryKey(),
  nextId: integer("next_id").notNull(),
  endId: integer("end_id").notNull(),
  startedAt: integer("started_at").notNull().default(0),
});

/**
 * The contact search index: every three-character run (trigram) of each contact's lower-case
 * name, e-mail, phone number and identifier. A search of three characters or more takes the
 * contacts holding all of its trigrams, then checks the substring on those alone, so it reads
 * its candidates rather than the account's contacts. Kept by triggers on `contacts` (migration
 * 0014), so every way a contact is written keeps it.
 */
export const contactGrams = sqliteTable(
  "contact_grams",
  {
    accountId: integer("account_id").notNull(),
    gram: text("gram").notNull(),
    contactId: integer("contact_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.gram, t.contactId] }),
    // Removing a contact's trigrams when it changes or goes.
    index("contact_grams_contact_idx").on(t.contactId),
  ],
);

/** 1..1000: the positions a trigram starts at, for the triggers that cut a field into trigrams. */
export const gramPositions = sqliteTable("gram_positions", { i: integer("i").primaryKey() });
