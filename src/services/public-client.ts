import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { accounts, contactInboxes, contacts, conversations, inboxes } from "../db/schema";
import { prefixed } from "../db/select";
import { AppError, notFound, unauthorized } from "../lib/errors";
import type { ConversationView } from "../serializers/conversation";
import { conversationViews, toView, type ConversationViewRow } from "../views/conversations";
import type { AccountRow, ContactInboxRow, ContactRow, InboxRow } from "../db/schema";
import type { DB } from "../db/client";

/**
 * Who is calling the public client API: the inbox named by `inbox_identifier` and, on routes
 * under `/contacts/{source_id}`, the contact_inbox (the end user's session) and its contact.
 * These identifiers are the only credentials, as in Chatwoot's client API.
 */
export type PublicClient = {
  account: AccountRow;
  inbox: InboxRow;
  contactInbox: ContactInboxRow | null;
  contact: ContactRow | null;
};

export type PublicSession = {
  account: AccountRow;
  inbox: InboxRow;
  contactInbox: ContactInboxRow;
  contact: ContactRow;
};

/** The contact_inbox named by the path: `source_id` within the inbox with this identifier. */
export const sessionId = (identifier: string, sourceId: string): SQL =>
  sql`(select ci.id from ${contactInboxes} ci join ${inboxes} i on i.id = ci.inbox_id
    where i.identifier = ${identifier} and ci.source_id = ${sourceId})`;

/** The path's conversation (`display_id`) of that session, as an id subquery (null for any other). */
export const sessionConversationId = (ids: { identifier: string; sourceId: string }, displayId: number): SQL =>
  sql`(select ${conversations.id} from ${conversations}
    where ${conversations.contactInboxId} = ${sessionId(ids.identifier, ids.sourceId)}
    and ${conversations.displayId} = ${displayId})`;

/** Batchable reads of the inbox (with its account) and, with a `source_id`, the session and its contact. */
export function clientQueries(db: DB, identifier: string, sourceId: string | null) {
  return [
    db
      .select({ inbox: prefixed(inboxes, "i"), account: prefixed(accounts, "a") })
      .from(inboxes)
      .innerJoin(accounts, eq(accounts.id, inboxes.accountId))
      .where(eq(inboxes.identifier, identifier)),
    db
      .select({ contactInbox: prefixed(contactInboxes, "ci"), contact: prefixed(contacts, "ct") })
      .from(contactInboxes)
      .innerJoin(contacts, eq(contacts.id, contactInboxes.contactId))
      // Without a source_id there is no session to read (the statement stays, so results line up).
      .where(sourceId === null ? sql`0` : eq(contactInboxes.id, sessionId(identifier, sourceId))),
  ] as const;
}

/** Reads the results of `clientQueries`: an unknown inbox or session is a 404. */
export function toClient(results: unknown[], needsSession: boolean): PublicClient {
  const [inboxRows, sessionRows] = results as [
    { inbox: InboxRow; account: AccountRow }[],
    { contactInbox: ContactInboxRow; contact: ContactRow }[],
  ];
  const found = inboxRows[0];
  if (!found) throw notFound("Inbox");
  if (found.account.status === "suspended") throw unauthorized("Account is suspended");
  const session = sessionRows[0];
  if (needsSession && !session) throw notFound("Contact");
  return { ...found, contactInbox: session?.contactInbox ?? null, contact: session?.contact ?? null };
}

export const identityRequired = () =>
  new AppError(
    401,
    "IDENTITY_NOT_VERIFIED",
    "This inbox requires identity verification: send identifier and identifier_hash (hex HMAC-SHA256 of the " +
      "identifier keyed with the inbox's hmac_token) when creating or identifying the contact",
  );

/**
 * With `hmac_mandatory`, a session that was never verified may not read or write anything:
 * every route under `/contacts/{source_id}` refuses it (Chatwoot only guards contact routes).
 */
export function requireVerified(client: PublicClient) {
  if (client.inbox.hmacMandatory && client.contactInbox && !client.contactInbox.hmacVerified) throw identityRequired();
}

/** A conversation of this session only (`display_id` in the path); batchable. */
export function sessionConversation(db: DB, identifier: string, sourceId: string, displayId: number) {
  return conversationViews(
    db,
    and(eq(conversations.contactInboxId, sessionId(identifier, sourceId)), eq(conversations.displayId, displayId)),
  );
}

export function toConversation(rows: unknown): ConversationView {
  const row = (rows as ConversationViewRow[])[0];
  if (!row) throw notFound("Conversation");
  return toView(row);
}

export type Batch = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
