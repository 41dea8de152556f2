import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DB } from "../db/client";
import { type ContactInboxRow, type ContactRow, contactInboxes, contacts } from "../db/schema";
import type { Outbox } from "../events/outbox";
import { secureToken } from "../lib/crypto";

/** A contact to create: the columns both APIs set (the rest keep their defaults). */
export type NewContact = Pick<
  typeof contacts.$inferInsert,
  | "name"
  | "email"
  | "phoneNumber"
  | "identifier"
  | "avatarUrl"
  | "blocked"
  | "customAttributes"
  | "additionalAttributes"
>;

/** Its first contact_inbox (session), when the caller names an inbox. */
export type NewSession = { inboxId: number; sourceId: string; hmacVerified?: boolean };

/**
 * The one way a contact is created, by the Application API and the client API alike: the contact,
 * its first contact_inbox when given, and `contact_created`, as statements for one batch, so the
 * three commit together; `read` takes the batch's results back to the rows written.
 */
export function createContactStatements(
  db: DB,
  outbox: Outbox | undefined,
  accountId: number,
  contact: NewContact,
  session?: NewSession,
) {
  const insertContact = db
    .insert(contacts)
    .values({ accountId, ...contact })
    .returning();
  // In a batch, last_insert_rowid() right after the contact insert is the new contact's id; and
  // batches run one at a time, so the account's newest contact is the one just inserted.
  const insertSession = session
    ? [
        db
          .insert(contactInboxes)
          .values({
            contactId: sql`last_insert_rowid()` as unknown as number,
            inboxId: session.inboxId,
            sourceId: session.sourceId,
            pubsubToken: secureToken(),
            hmacVerified: session.hmacVerified ?? false,
          })
          .returning(),
      ]
    : [];
  const newest = sql`(select max(id) from contacts where account_id = ${accountId})`;
  const event = outbox?.record({ event: "contact_created", accountId, inboxId: null, contactId: newest }) ?? [];
  const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [insertContact, ...insertSession, ...event];
  const read = (results: unknown[]) => {
    const [contactRows, sessionRows] = results as [ContactRow[], ContactInboxRow[] | undefined];
    return { contact: contactRows[0], session: session ? (sessionRows?.[0] ?? null) : null };
  };
  return { statements, read };
}
