import { and, asc, desc, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { contactInboxes, contactLabels, contacts, conversations, inboxes } from "../db/schema";
import { mergeAttributes } from "../lib/attributes";
import { eqIfGiven, inList, prefixed } from "../db/select";
import { contactIdsContaining } from "./search-index";
import { secureToken, uuid } from "../lib/crypto";
import { dbErrorText, isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import { conversationViews, toView, conversationsVisibleTo } from "../views/conversations";
import { inboxVisibleTo, visibleInbox } from "./inboxes";
import type { ContactInboxRow, ContactRow, InboxRow } from "../db/schema";
import type { DB } from "../db/client";
import { viewerOf } from "./auth";
import { createContactStatements } from "./contact-writes";
import type { AgentContext, ServiceContext } from "./context";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { z } from "@hono/zod-openapi";
import type {
  ContactCreateBody,
  ContactInboxCreateBody,
  ContactSort,
  ContactSortField,
  ContactUpdateBody,
} from "../routes/contacts/contacts.schemas";

export const CONTACTS_PER_PAGE = 15;

/*
 * An agent's view of the account's contacts (`AgentContext`). Contacts are the account's, but a
 * contact_inbox is a session in one inbox (its `source_id` opens that inbox's conversations on
 * the client API): agents see only those of inboxes they are members of, administrators all.
 */

/** The fields of a contact a request may set, as the contact routes' schema reads them. */
export type ContactInput = z.output<typeof ContactUpdateBody>;

export type ContactWithInboxes = {
  contact: ContactRow;
  contactInboxes: { contactInbox: ContactInboxRow; inbox: InboxRow }[];
};

const normalizeEmail = (e: string | null | undefined) => (e ? e.trim().toLowerCase() : e);

/** The contact_inboxes of `contactIds` (a subquery) in inboxes the caller sees, oldest first. Batchable. */
export function contactInboxesOf({ db, actor }: AgentContext, contactIds: SQL) {
  return db
    .select({ contactInbox: prefixed(contactInboxes, "ci"), inbox: prefixed(inboxes, "i") })
    .from(contactInboxes)
    .innerJoin(inboxes, eq(inboxes.id, contactInboxes.inboxId))
    .where(and(inArray(contactInboxes.contactId, contactIds), inboxVisibleTo(viewerOf(actor))))
    .orderBy(asc(contactInboxes.id));
}

function attach(rows: ContactRow[], cis: { contactInbox: ContactInboxRow; inbox: InboxRow }[]): ContactWithInboxes[] {
  return rows.map((contact) => ({
    contact,
    contactInboxes: cis.filter((ci) => ci.contactInbox.contactId === contact.id),
  }));
}

const SORTS: Record<ContactSortField, SQLiteColumn> = {
  name: contacts.name,
  email: contacts.email,
  phone_number: contacts.phoneNumber,
  last_activity_at: contacts.lastActivityAt,
  created_at: contacts.createdAt,
};

function order(sort: ContactSort | undefined) {
  if (!sort) return [desc(contacts.lastActivityAt), desc(contacts.id)];
  const column = SORTS[sort.replace(/^-/, "") as ContactSortField];
  return sort.startsWith("-") ? [desc(column), desc(contacts.id)] : [asc(column), asc(contacts.id)];
}

/** The total, a page of contacts and their contact_inboxes: one batch. */
export function contactPageQueries(scope: AgentContext, where: SQL, page: number, sort?: ContactSort) {
  const { db } = scope;
  const offset = (page - 1) * CONTACTS_PER_PAGE;
  const pageIds = db
    .select({ id: contacts.id })
    .from(contacts)
    .where(where)
    .orderBy(...order(sort))
    .limit(CONTACTS_PER_PAGE)
    .offset(offset);
  return [
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(contacts)
      .where(where),
    db
      .select()
      .from(contacts)
      .where(where)
      .orderBy(...order(sort))
      .limit(CONTACTS_PER_PAGE)
      .offset(offset),
    contactInboxesOf(scope, sql`(${pageIds})`),
  ] as const;
}

/** A page of contacts with their contact_inboxes and the total, in one round trip. */
async function pageOf(scope: AgentContext, where: SQL, page: number, sort?: ContactSort) {
  const [counted, rows, cis] = await scope.db.batch(contactPageQueries(scope, where, page, sort));
  return { count: counted[0].n, contacts: attach(rows, cis) };
}

/**
 * The contacts of the account with `q` in their name, e-mail, phone number or identifier. The
 * matches (an id list from the trigram index) must drive the query: without table statistics
 * SQLite would rather walk the account's contacts by an account index and test each against
 * the list; a unary `+` keeps account_id out of index use.
 */
export const contactSearchWhere = (accountId: number, q: string) =>
  and(
    sql`+${contacts.accountId} = ${accountId}`,
    sql`${contacts.id} in (${contactIdsContaining(accountId, q, [
      contacts.name,
      contacts.email,
      contacts.phoneNumber,
      contacts.identifier,
    ])})`,
  )!;

/** Contacts carrying any of `labels` (Chatwoot's `tagged_with(any: true)`); no condition without labels. */
const labelled = (labels: string[] | undefined) =>
  labels?.length
    ? sql`exists (select 1 from ${contactLabels} where ${contactLabels.contactId} = ${contacts.id}
        and ${inList(contactLabels.label, labels)})`
    : undefined;

/** Contacts that can be identified (e-mail, phone or identifier), as Chatwoot's index lists. */
export function listContacts(scope: AgentContext, page: number, sort?: ContactSort, labels?: string[]) {
  const identified = or(isNotNull(contacts.email), isNotNull(contacts.phoneNumber), isNotNull(contacts.identifier));
  return pageOf(scope, and(eq(contacts.accountId, scope.accountId), identified, labelled(labels))!, page, sort);
}

/** Name, e-mail, phone or identifier containing `q` (case-insensitive). */
export function searchContacts(scope: AgentContext, q: string, page: number, sort?: ContactSort, labels?: string[]) {
  return pageOf(scope, and(contactSearchWhere(scope.accountId, q), labelled(labels))!, page, sort);
}

export async function showContact(scope: AgentContext, id: number): Promise<ContactWithInboxes> {
  const { db, accountId } = scope;
  const where = and(eq(contacts.accountId, accountId), eq(contacts.id, id))!;
  const [rows, cis] = await db.batch([
    db.select().from(contacts).where(where),
    contactInboxesOf(scope, sql`(${db.select({ id: contacts.id }).from(contacts).where(where)})`),
  ]);
  if (!rows[0]) throw notFound("Contact");
  return attach(rows, cis)[0];
}

/** A unique-index violation on a contact or contact_inbox as the 422 naming the taken field; other errors rethrown. */
export function uniquenessError(err: unknown): never {
  const text = dbErrorText(err).replace(/^[\s\S]*?(UNIQUE constraint failed)/, "$1");
  if (/UNIQUE.*contacts\.(account_id, )?email|contacts_account_email_uq/i.test(text))
    throw unprocessable("Email has already been taken", [{ field: "email", message: "has already been taken" }]);
  if (/UNIQUE.*phone_number|contacts_account_phone_uq/i.test(text))
    throw unprocessable("Phone number has already been taken", [
      { field: "phone_number", message: "has already been taken" },
    ]);
  if (/UNIQUE.*identifier|contacts_account_identifier_uq/i.test(text))
    throw unprocessable("Identifier has already been taken", [
      { field: "identifier", message: "has already been taken" },
    ]);
  if (/UNIQUE.*source_id|contact_inboxes_inbox_source_uq/i.test(text))
    throw unprocessable("source_id should be unique", [{ field: "source_id", message: "has already been taken" }]);
  throw err;
}

export type CreateContactResult = ContactWithInboxes & {
  created: boolean;
  contactInbox: { contactInbox: ContactInboxRow; inbox: InboxRow } | null;
};

/**
 * What creating a contact reads first, as one batch of statements: the account's contact with
 * the input's identifier, the inbox it names if the caller sees it, and the contact_inbox its
 * `source_id` (or the existing contact) already has there. `caller` may be subqueries (the user
 * id, whether they administer the account): the route runs these reads in the same round trip
 * as the token check.
 */
export function contactCreateReads(
  db: DB,
  accountId: number,
  caller: Parameters<typeof visibleInbox>[2],
  input: z.output<typeof ContactCreateBody>,
) {
  const byIdentifier = and(eq(contacts.accountId, accountId), eqIfGiven(contacts.identifier, input.identifier));
  return [
    db.select().from(contacts).where(byIdentifier),
    visibleInbox(db, accountId, caller, input.inbox_id),
    db
      .select()
      .from(contactInboxes)
      .where(
        and(
          eqIfGiven(contactInboxes.inboxId, input.inbox_id),
          input.source_id
            ? eq(contactInboxes.sourceId, input.source_id)
            : sql`${contactInboxes.contactId} = (select ${contacts.id} from ${contacts} where ${byIdentifier})`,
        ),
      )
      .orderBy(asc(contactInboxes.id))
      .limit(1),
  ] as const;
}

/**
 * Creates a contact, or returns the account's existing contact with the same `identifier`
 * (a returning user always lands on the same contact). With `inbox_id`, also ensures the
 * contact_inbox, reusing `source_id` when given. Two round trips with auth: the route reads what
 * exists with the token check (`read`, from `contactCreateReads`; without it the reads are made
 * here), then one batch writes what is missing and reads back the contact_inboxes.
 */
export async function createContact(
  scope: AgentContext,
  input: z.output<typeof ContactCreateBody>,
  read?: unknown[],
  retried = false,
): Promise<CreateContactResult> {
  const { db, accountId } = scope;
  const rows = read ?? (await db.batch([...contactCreateReads(db, accountId, viewerOf(scope.actor), input)]));
  const [existing, inboxRows, found] = rows as [ContactRow[], InboxRow[], ContactInboxRow[]];
  const inbox = inboxRows[0];
  if (input.inbox_id !== undefined && !inbox) throw notFound("Inbox");
  const contact = existing[0];
  const ci = found[0];
  if (ci && ci.contactId !== contact?.id)
    throw unprocessable("source_id should be unique", [{ field: "source_id", message: "belongs to another contact" }]);

  const needsContactInbox = Boolean(inbox && !ci);
  const sourceId = input.source_id ?? uuid();

  try {
    if (!contact) {
      const values = {
        name: input.name ?? "",
        email: normalizeEmail(input.email) ?? null,
        phoneNumber: input.phone_number ?? null,
        identifier: input.identifier ?? null,
        avatarUrl: input.avatar_url ?? null,
        blocked: input.blocked ?? false,
        additionalAttributes: input.additional_attributes ?? {},
        customAttributes: input.custom_attributes ?? {},
      };
      const session = inbox && needsContactInbox ? { inboxId: inbox.id, sourceId } : undefined;
      const create = createContactStatements(db, scope.outbox, accountId, values, session);
      const made = create.read(await db.batch(create.statements));
      const list = inbox && made.session ? [{ contactInbox: made.session, inbox }] : [];
      return { contact: made.contact, contactInboxes: list, created: true, contactInbox: list[0] ?? null };
    }
    const insertContactInbox = db
      .insert(contactInboxes)
      .values({ contactId: contact.id, inboxId: inbox?.id ?? 0, sourceId, pubsubToken: secureToken() })
      .returning();
    const listQuery = contactInboxesOf(scope, sql`(${contact.id})`);
    const list = needsContactInbox ? (await db.batch([insertContactInbox, listQuery]))[1] : await listQuery;
    const own = inbox
      ? (list.find((x) => x.contactInbox.inboxId === inbox.id && (!ci || x.contactInbox.id === ci.id)) ?? null)
      : null;
    return { contact, contactInboxes: list, created: false, contactInbox: own };
  } catch (err) {
    // A concurrent create with the same identifier won the race: take that contact.
    if (!retried && input.identifier && isUniqueViolation(err)) return createContact(scope, input, undefined, true);
    uniquenessError(err);
  }
}

/** The contact's contact_inbox in `inbox`, created if missing (`source_id` defaults to a UUID). */
export async function ensureContactInbox(
  db: DB,
  contact: ContactRow,
  inbox: InboxRow,
  sourceId?: string,
  hmacVerified = false,
): Promise<ContactInboxRow> {
  if (sourceId) {
    const [found] = await db
      .select()
      .from(contactInboxes)
      .where(and(eq(contactInboxes.inboxId, inbox.id), eq(contactInboxes.sourceId, sourceId)));
    if (found) {
      if (found.contactId !== contact.id)
        throw unprocessable("source_id should be unique", [
          { field: "source_id", message: "belongs to another contact" },
        ]);
      return found;
    }
  } else {
    const [found] = await db
      .select()
      .from(contactInboxes)
      .where(and(eq(contactInboxes.inboxId, inbox.id), eq(contactInboxes.contactId, contact.id)))
      .orderBy(asc(contactInboxes.id))
      .limit(1);
    if (found) return found;
  }
  try {
    const [row] = await db
      .insert(contactInboxes)
      .values({
        contactId: contact.id,
        inboxId: inbox.id,
        sourceId: sourceId ?? uuid(),
        pubsubToken: secureToken(),
        hmacVerified,
      })
      .returning();
    return row;
  } catch (err) {
    uniquenessError(err);
  }
}

/** Updates fields; `custom_attributes` and `additional_attributes` are merged, not replaced. */
export async function updateContact(scope: AgentContext, id: number, input: ContactInput): Promise<ContactWithInboxes> {
  const current = await showContact(scope, id);
  return { contact: await changeContact(scope, current.contact, input), contactInboxes: current.contactInboxes };
}

/**
 * Writes `input` over a contact the caller already loaded (one round trip, none when nothing
 * changes), with `contact_updated` listing what changed; returns the written row.
 */
export async function changeContact(scope: ServiceContext, c: ContactRow, input: ContactInput): Promise<ContactRow> {
  const { db, accountId } = scope;
  const id = c.id;
  const next = {
    name: input.name ?? c.name,
    email: input.email === undefined ? c.email : (normalizeEmail(input.email) ?? null),
    phoneNumber: input.phone_number === undefined ? c.phoneNumber : input.phone_number,
    identifier: input.identifier === undefined ? c.identifier : input.identifier,
    avatarUrl: input.avatar_url === undefined ? c.avatarUrl : input.avatar_url,
    blocked: input.blocked ?? c.blocked,
    additionalAttributes: mergeAttributes("additional_attributes", c.additionalAttributes, input.additional_attributes),
    customAttributes: mergeAttributes("custom_attributes", c.customAttributes, input.custom_attributes),
  };
  const wire: Record<string, string> = {
    name: "name",
    email: "email",
    phoneNumber: "phone_number",
    identifier: "identifier",
    avatarUrl: "avatar_url",
    blocked: "blocked",
    additionalAttributes: "additional_attributes",
    customAttributes: "custom_attributes",
  };
  const changed = Object.entries(next)
    .filter(([k, value]) => JSON.stringify(value) !== JSON.stringify(c[k as keyof typeof next]))
    .map(([k, value]) => ({ [wire[k]]: { previous_value: c[k as keyof typeof next], current_value: value } }));
  if (changed.length === 0) return c;
  try {
    // The write returns the row, so nothing is read again.
    const [rows] = await db.batch([
      db
        .update(contacts)
        .set(next)
        .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id)))
        .returning(),
      ...(scope.outbox?.record({
        event: "contact_updated",
        accountId,
        inboxId: null,
        contactId: id,
        data: { changed_attributes: changed },
      }) ?? []),
    ]);
    return rows[0];
  } catch (err) {
    uniquenessError(err);
  }
}

/** The contact row as JSON (property names as in `ContactRow`), read in SQL: what `contact_deleted` keeps. */
export const contactSnapshot = (where: SQL) => sql`(select json_object('id', id, 'accountId', account_id, 'name', name,
  'email', email, 'phoneNumber', phone_number, 'identifier', identifier, 'avatarUrl', avatar_url, 'blocked', blocked,
  'customAttributes', json(custom_attributes), 'additionalAttributes', json(additional_attributes),
  'lastActivityAt', last_activity_at, 'createdAt', created_at, 'updatedAt', updated_at) from contacts where ${where})`;

/**
 * Deletes the contact with its contact_inboxes, conversations and messages (cascade), and records
 * `contact_deleted` with the row as it was (integrators purge their copies from it), all in one
 * batch: the event is written first, only if the contact is there, then the row goes.
 */
export async function deleteContact({ db, accountId, outbox }: AgentContext, id: number) {
  const mine = and(eq(contacts.accountId, accountId), eq(contacts.id, id))!;
  const recorded =
    outbox?.record({
      event: "contact_deleted",
      accountId,
      inboxId: null,
      contactId: id,
      when: sql`exists (select 1 from ${contacts} where ${mine})`,
      dataSql: sql`json_object('contact', ${contactSnapshot(mine)})`,
    }) ?? [];
  // The event reads the row, so it goes first; the delete's result is the batch's last.
  const remove = db.delete(contacts).where(mine).returning({ id: contacts.id });
  const statements: BatchItem<"sqlite">[] = [...recorded, remove];
  const results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  const deleted = results.at(-1) as { id: number }[];
  if (!deleted[0]) throw notFound("Contact");
}

/** The contact's latest 20 conversations the caller may see. */
export async function contactConversations(scope: AgentContext, id: number) {
  const { db, accountId, actor } = scope;
  const [found, rows] = await db.batch([
    db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id))),
    conversationViews(
      db,
      and(
        eq(conversations.accountId, accountId),
        eq(conversations.contactId, id),
        conversationsVisibleTo(viewerOf(actor)),
      ),
    )
      .orderBy(desc(conversations.lastActivityAt))
      .limit(20),
  ]);
  if (!found[0]) throw notFound("Contact");
  return rows.map(toView);
}

export async function addContactInbox(scope: AgentContext, id: number, input: z.output<typeof ContactInboxCreateBody>) {
  const { db, accountId } = scope;
  const [contactRows, inboxRows] = await db.batch([
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id))),
    visibleInbox(db, accountId, viewerOf(scope.actor), input.inbox_id),
  ]);
  if (!contactRows[0]) throw notFound("Contact");
  if (!inboxRows[0]) throw notFound("Inbox");
  const ci = await ensureContactInbox(db, contactRows[0], inboxRows[0], input.source_id, input.hmac_verified ?? false);
  return { contactInbox: ci, inbox: inboxRows[0] };
}
