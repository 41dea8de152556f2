import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { accountUsers, contactNotes, contacts, users } from "../db/schema";
import { orNull, prefixed } from "../db/select";
import { forbidden, notFound } from "../lib/errors";
import type { ContactNoteRow } from "../db/schema";
import type { NoteAuthor } from "../serializers/contact-note";
import { isAdmin } from "./auth";
import type { AgentContext } from "./context";

/*
 * Notes agents keep about a contact. Any agent of the account reads and adds them (as in
 * Chatwoot); only a note's author, or an administrator, may change or delete it.
 */

export type NoteWithAuthor = { note: ContactNoteRow; author: NoteAuthor };

const contactInAccount = (accountId: number, contactId: number) =>
  sql`exists (select 1 from ${contacts} where ${contacts.accountId} = ${accountId} and ${contacts.id} = ${contactId})`;

/** The account's notes of a contact with their authors (left joined: an author may have left). Batchable. */
function notesWhere({ db, accountId }: AgentContext, contactId: number, where?: SQL) {
  return db
    .select({ note: prefixed(contactNotes, "n"), user: prefixed(users, "u"), membership: prefixed(accountUsers, "m") })
    .from(contactNotes)
    .leftJoin(users, eq(users.id, contactNotes.userId))
    .leftJoin(accountUsers, and(eq(accountUsers.userId, contactNotes.userId), eq(accountUsers.accountId, accountId)))
    .where(and(eq(contactNotes.accountId, accountId), eq(contactNotes.contactId, contactId), where));
}

type JoinedRow = Awaited<ReturnType<typeof notesWhere>>[number];

function withAuthor(row: JoinedRow): NoteWithAuthor {
  const user = orNull(row.user);
  const membership = orNull(row.membership);
  return { note: row.note, author: user && membership ? { user, membership } : null };
}

/** The contact's notes, newest first (Chatwoot's `latest`); 404 for a contact of another account. */
export async function listNotes(scope: AgentContext, contactId: number): Promise<NoteWithAuthor[]> {
  const { db, accountId } = scope;
  const [found, rows] = await db.batch([
    db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.accountId, accountId), eq(contacts.id, contactId))),
    notesWhere(scope, contactId).orderBy(desc(contactNotes.createdAt), desc(contactNotes.id)),
  ]);
  if (!found[0]) throw notFound("Contact");
  return rows.map(withAuthor);
}

export async function showNote(scope: AgentContext, contactId: number, id: number): Promise<NoteWithAuthor> {
  const [row] = await notesWhere(scope, contactId, eq(contactNotes.id, id));
  if (!row) throw notFound("Note");
  return withAuthor(row);
}

/** Adds the caller's note to the contact: one statement, which writes nothing unless the contact is the account's. */
export async function createNote(scope: AgentContext, contactId: number, content: string): Promise<NoteWithAuthor> {
  const { db, accountId, actor } = scope;
  const now = Date.now();
  // Every contact_notes column, in table order (drizzle's insert-select lists them all).
  const [note] = await db
    .insert(contactNotes)
    .select(
      sql`select null, ${accountId}, ${contactId}, ${actor.user.id}, ${content}, ${now}, ${now}
        where ${contactInAccount(accountId, contactId)}`,
    )
    .returning();
  if (!note) throw notFound("Contact");
  return { note, author: actor.membership ? { user: actor.user, membership: actor.membership } : null };
}

/**
 * The note as it is, then the change only if the caller wrote the note or administers the
 * account, in one batch: the read tells a missing note (404) from someone else's (403).
 */
async function changeNote<T extends { id: number }>(
  scope: AgentContext,
  contactId: number,
  id: number,
  change: (mine: SQL) => BatchItem<"sqlite"> & PromiseLike<T[]>,
): Promise<{ current: NoteWithAuthor; written: T[] }> {
  const { db, accountId, actor } = scope;
  const mine = and(
    eq(contactNotes.accountId, accountId),
    eq(contactNotes.contactId, contactId),
    eq(contactNotes.id, id),
    isAdmin(actor) ? undefined : eq(contactNotes.userId, actor.user.id),
  )!;
  const [rows, written] = (await db.batch([notesWhere(scope, contactId, eq(contactNotes.id, id)), change(mine)])) as [
    JoinedRow[],
    T[],
  ];
  if (!rows[0]) throw notFound("Note");
  if (written.length === 0) throw forbidden("Only the note's author or an administrator may do this");
  return { current: withAuthor(rows[0]), written };
}

export async function updateNote(
  scope: AgentContext,
  contactId: number,
  id: number,
  content: string,
): Promise<NoteWithAuthor> {
  const { current, written } = await changeNote(scope, contactId, id, (mine) =>
    scope.db.update(contactNotes).set({ content, updatedAt: Date.now() }).where(mine).returning(),
  );
  return { note: written[0], author: current.author };
}

export async function deleteNote(scope: AgentContext, contactId: number, id: number): Promise<void> {
  await changeNote(scope, contactId, id, (mine) =>
    scope.db.delete(contactNotes).where(mine).returning({ id: contactNotes.id }),
  );
}
