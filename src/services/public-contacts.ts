import { and, desc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { contactInboxes, contacts, inboxes } from "../db/schema";
import { eqIfGiven, prefixed } from "../db/select";
import { secureToken, uuid } from "../lib/crypto";
import { dbErrorText, isUniqueViolation, unprocessable } from "../lib/errors";
import type { Outbox } from "../events/outbox";
import { verifyIdentifierHash } from "./contact-profile";
import { createContactStatements } from "./contact-writes";
import { changeContact, uniquenessError, type ContactInput } from "./contacts";
import { clientQueries, identityRequired, toClient, type PublicSession } from "./public-client";
import type { AccountRow, ContactInboxRow, ContactRow, InboxRow } from "../db/schema";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";
import type { z } from "@hono/zod-openapi";
import type { PublicContactCreate, PublicContactUpdate } from "../routes/public/public.schemas";

/** What a client creates or updates a contact with, as the client API's schemas read it. */
export type PublicContactInput = z.output<typeof PublicContactCreate>;

const ADJECTIVES = ["snowy", "quiet", "bright", "gentle", "misty", "sunny", "calm", "swift", "amber", "silver"];
const NOUNS = ["sun", "river", "meadow", "forest", "harbor", "cloud", "breeze", "stone", "field", "wave"];

/** A readable name for an anonymous contact, like Chatwoot's ("snowy-sun-611"). */
function anonymousName(): string {
  const [a, n, d] = crypto.getRandomValues(new Uint16Array(3));
  return `${ADJECTIVES[a % ADJECTIVES.length]}-${NOUNS[n % NOUNS.length]}-${(d % 900) + 100}`;
}

/** Checks `identifier_hash` when sent; with `hmac_mandatory` it must be sent, with an identifier. */
async function verification(inbox: InboxRow, identifier: string | undefined, hash: string | undefined) {
  if (hash === undefined) return verifyIdentifierHash(inbox, identifier ?? "", undefined);
  if (!identifier) throw identityRequired();
  return verifyIdentifierHash(inbox, identifier, hash);
}

type Found = { contactInbox: ContactInboxRow; contact: ContactRow };

/**
 * `POST /public/api/v1/inboxes/{inbox_identifier}/contacts`. An existing `source_id` returns that
 * session (create is idempotent per `source_id`). Otherwise the account's contact is reused by
 * `identifier`, then e-mail, then phone (a contact with a different identifier is never taken),
 * and a returning user (same identifier, no `source_id`) gets their latest session back, so
 * they see their conversation history. A verified session is only handed to a verified caller.
 * Two round trips: one batch reads everything, one writes what is missing.
 */
export async function createPublicContact(
  db: DB,
  outbox: Outbox,
  identifier: string,
  input: PublicContactInput,
  retried = false,
): Promise<PublicSession> {
  const inboxId = sql`(select id from ${inboxes} where ${inboxes.identifier} = ${identifier})`;
  const withContact = (where: ReturnType<typeof and>) =>
    db
      .select({ contactInbox: prefixed(contactInboxes, "ci"), contact: prefixed(contacts, "ct") })
      .from(contactInboxes)
      .innerJoin(contacts, eq(contacts.id, contactInboxes.contactId))
      .where(where)
      .orderBy(desc(contactInboxes.id))
      .limit(1);
  const inAccount = sql`${contacts.accountId} = (select account_id from ${inboxes}
    where ${inboxes.identifier} = ${identifier})`;
  const email = input.email ? input.email.trim().toLowerCase() : null;
  const sessionsOfIdentified = (isVerified: boolean) =>
    withContact(
      and(
        eq(contactInboxes.inboxId, inboxId),
        eq(contactInboxes.hmacVerified, isVerified),
        sql`${contactInboxes.contactId} = (select id from ${contacts} where ${inAccount}
          and ${eqIfGiven(contacts.identifier, input.identifier)})`,
      ),
    );
  const [inboxRows, noSession, bySource, byIdentifier, byEmail, byPhone, lastVerified, lastUnverified] = await db.batch(
    [
      ...clientQueries(db, identifier, null),
      withContact(and(eq(contactInboxes.inboxId, inboxId), eqIfGiven(contactInboxes.sourceId, input.source_id))),
      db
        .select()
        .from(contacts)
        .where(and(inAccount, eqIfGiven(contacts.identifier, input.identifier))),
      db
        .select()
        .from(contacts)
        .where(and(inAccount, eqIfGiven(contacts.email, email))),
      db
        .select()
        .from(contacts)
        .where(and(inAccount, eqIfGiven(contacts.phoneNumber, input.phone_number))),
      sessionsOfIdentified(true),
      sessionsOfIdentified(false),
    ],
  );
  const { inbox, account } = toClient([inboxRows, noSession], false);
  const verified = await verification(inbox, input.identifier, input.identifier_hash);

  const session = bySource[0] as Found | undefined;
  if (session) return claimSession(db, account, inbox, session, input.identifier, verified);

  const compatible = (c: ContactRow | undefined) =>
    c && (!c.identifier || !input.identifier || c.identifier === input.identifier) ? c : undefined;
  const contact = byIdentifier[0] ?? compatible(byEmail[0]) ?? compatible(byPhone[0]);
  // A verified caller gets their verified session back (or the latest one, which it verifies);
  // an unverified caller only ever an unverified one.
  const returning = (verified ? (lastVerified[0] ?? lastUnverified[0]) : lastUnverified[0]) as Found | undefined;
  if (returning && !input.source_id) {
    return claimSession(db, account, inbox, returning, input.identifier, verified);
  }

  const sourceId = input.source_id ?? uuid();
  const newSession = (contactId: number | ReturnType<typeof sql>) =>
    db
      .insert(contactInboxes)
      .values({
        contactId: contactId as number,
        inboxId: inbox.id,
        sourceId,
        pubsubToken: secureToken(),
        hmacVerified: verified,
      })
      .returning();
  try {
    if (contact) {
      const statements: BatchItem<"sqlite">[] = [newSession(contact.id)];
      if (input.identifier && !contact.identifier)
        statements.push(db.update(contacts).set({ identifier: input.identifier }).where(eq(contacts.id, contact.id)));
      const [rows] = await db.batch(statements as [BatchItem<"sqlite">]);
      const named = input.identifier && !contact.identifier ? { ...contact, identifier: input.identifier } : contact;
      return { account, inbox, contact: named, contactInbox: (rows as ContactInboxRow[])[0] };
    }
    const values = {
      name: input.name?.trim() || anonymousName(),
      email,
      phoneNumber: input.phone_number ?? null,
      identifier: input.identifier ?? null,
      avatarUrl: input.avatar_url ?? null,
      customAttributes: input.custom_attributes ?? {},
    };
    const session = { inboxId: inbox.id, sourceId, hmacVerified: verified };
    const create = createContactStatements(db, outbox, inbox.accountId, values, session);
    const made = create.read(await db.batch(create.statements));
    return { account, inbox, contact: made.contact, contactInbox: made.session! };
  } catch (err) {
    // A concurrent create for the same user (identifier or source_id) won the race: take what it
    // made. Any other taken field (an e-mail of a contact with another identifier) is a 422.
    const race = /identifier|source_id|contact_inboxes_inbox_source_uq/.test(dbErrorText(err));
    if (!retried && isUniqueViolation(err) && race) return createPublicContact(db, outbox, identifier, input, true);
    uniquenessError(err);
  }
}

/** An existing session: its contact must be the one identified, and a verified caller marks it verified. */
async function claimSession(
  db: DB,
  account: AccountRow,
  inbox: InboxRow,
  found: Found,
  identifier: string | undefined,
  verified: boolean,
): Promise<PublicSession> {
  const { contact, contactInbox } = found;
  if (identifier && contact.identifier && contact.identifier !== identifier)
    throw unprocessable("source_id belongs to another contact", [
      { field: "source_id", message: "belongs to a contact with another identifier" },
    ]);
  if (inbox.hmacMandatory && contactInbox.hmacVerified && !verified) throw identityRequired();
  const statements: BatchItem<"sqlite">[] = [];
  if (verified && !contactInbox.hmacVerified)
    statements.push(
      db.update(contactInboxes).set({ hmacVerified: true }).where(eq(contactInboxes.id, contactInbox.id)),
    );
  if (identifier && !contact.identifier)
    statements.push(db.update(contacts).set({ identifier }).where(eq(contacts.id, contact.id)));
  if (statements.length > 0) {
    try {
      await db.batch(statements as [BatchItem<"sqlite">]);
    } catch (err) {
      if (isUniqueViolation(err))
        throw unprocessable("Identifier has already been taken", [
          { field: "identifier", message: "has already been taken" },
        ]);
      throw err;
    }
  }
  return {
    account,
    inbox,
    contact: identifier && !contact.identifier ? { ...contact, identifier } : contact,
    contactInbox: verified ? { ...contactInbox, hmacVerified: true } : contactInbox,
  };
}

/**
 * `GET`/`PATCH /contacts/{source_id}` with `identifier` and `identifier_hash` verify the session
 * (and name an anonymous contact). Without them, an unverified session of an inbox with
 * `hmac_mandatory` is refused.
 */
export async function identifySession(
  { db }: ServiceContext<null>,
  s: PublicSession,
  identifier: string | undefined,
  hash: string | undefined,
): Promise<PublicSession> {
  if (hash === undefined) {
    if (s.inbox.hmacMandatory && !s.contactInbox.hmacVerified) throw identityRequired();
    return s;
  }
  const id = identifier ?? s.contact.identifier ?? undefined;
  const verified = await verification(s.inbox, id, hash);
  return claimSession(db, s.account, s.inbox, s, id, verified);
}

/** Updates the session's contact (already loaded); `identifier` cannot be changed here (Chatwoot drops it too). */
export async function updatePublicContact(
  ctx: ServiceContext<null>,
  s: PublicSession,
  input: z.output<typeof PublicContactUpdate>,
): Promise<PublicSession> {
  const fields: ContactInput = {};
  if (input.name !== undefined) fields.name = input.name;
  if (input.email !== undefined) fields.email = input.email;
  if (input.phone_number !== undefined) fields.phone_number = input.phone_number;
  if (input.avatar_url !== undefined) fields.avatar_url = input.avatar_url;
  if (input.custom_attributes !== undefined) fields.custom_attributes = input.custom_attributes;
  return { ...s, contact: await changeContact(ctx, s.contact, fields) };
}
