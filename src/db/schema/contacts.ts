import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, jsonObject, timestamps } from "./columns";
import { accounts } from "./accounts";
import { inboxes } from "./inboxes";

export const contacts = sqliteTable(
  "contacts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull().default(""),
    /** Stored lower-cased: unique per account, case-insensitively. */
    email: text("email"),
    phoneNumber: text("phone_number"),
    identifier: text("identifier"),
    avatarUrl: text("avatar_url"),
    blocked: bool("blocked", false),
    customAttributes: jsonObject("custom_attributes"),
    additionalAttributes: jsonObject("additional_attributes"),
    lastActivityAt: integer("last_activity_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("contacts_account_identifier_uq").on(t.accountId, t.identifier),
    uniqueIndex("contacts_account_email_uq").on(t.accountId, t.email),
    uniqueIndex("contacts_account_phone_uq").on(t.accountId, t.phoneNumber),
    index("contacts_account_created_idx").on(t.accountId, t.createdAt),
    index("contacts_account_name_idx").on(t.accountId, t.name),
    index("contacts_account_activity_idx").on(t.accountId, t.lastActivityAt),
  ],
);

/** The "session" between a contact and an inbox, addressed by `source_id`. */
export const contactInboxes = sqliteTable(
  "contact_inboxes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    inboxId: integer("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    sourceId: text("source_id").notNull(),
    pubsubToken: text("pubsub_token").notNull(),
    hmacVerified: bool("hmac_verified", false),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("contact_inboxes_inbox_source_uq").on(t.inboxId, t.sourceId),
    uniqueIndex("contact_inboxes_pubsub_uq").on(t.pubsubToken),
    index("contact_inboxes_contact_idx").on(t.contactId),
  ],
);

export type ContactRow = typeof contacts.$inferSelect;
export type ContactInboxRow = typeof contactInboxes.$inferSelect;
