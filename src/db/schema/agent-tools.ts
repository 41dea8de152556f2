import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, timestamps } from "./columns";
import { accounts } from "./accounts";
import { contacts } from "./contacts";
import { users } from "./users";

/** A reply an agent inserts by typing `/short_code` (Chatwoot's canned responses). */
export const cannedResponses = sqliteTable(
  "canned_responses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    shortCode: text("short_code").notNull(),
    content: text("content").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("canned_responses_account_code_uq").on(t.accountId, t.shortCode)],
);

/** An account's label definitions; conversations and contacts carry label titles. */
export const labels = sqliteTable(
  "labels",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Stored lower-cased: unique per account. */
    title: text("title").notNull(),
    description: text("description"),
    color: text("color").notNull().default("#1f93ff"),
    showOnSidebar: bool("show_on_sidebar", true),
    ...timestamps,
  },
  (t) => [uniqueIndex("labels_account_title_uq").on(t.accountId, t.title)],
);

export const contactLabels = sqliteTable(
  "contact_labels",
  {
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    accountId: integer("account_id").notNull(),
    label: text("label").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.label] }),
    index("contact_labels_account_label_idx").on(t.accountId, t.label),
  ],
);

/** Notes agents keep about a contact. */
export const contactNotes = sqliteTable(
  "contact_notes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    content: text("content").notNull(),
    ...timestamps,
  },
  (t) => [index("contact_notes_contact_idx").on(t.contactId, t.id)],
);

export type CannedResponseRow = typeof cannedResponses.$inferSelect;
export type LabelRow = typeof labels.$inferSelect;
export type ContactNoteRow = typeof contactNotes.$inferSelect;
