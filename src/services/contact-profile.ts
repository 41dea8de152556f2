import { and, eq } from "drizzle-orm";
import { accountUsers, contactInboxes, inboxes, inboxMembers } from "../db/schema";
import { hmacSha256Hex, safeEqual } from "../lib/crypto";
import { notFound, unauthorized } from "../lib/errors";
import type { AgentContext } from "./context";
import type { z } from "@hono/zod-openapi";
import type { ContactProfileBody } from "../routes/profile/profile.schemas";
import { createContact, type ContactWithInboxes } from "./contacts";
import type { ContactInboxRow, InboxRow } from "../db/schema";

export type ContactProfileInput = z.output<typeof ContactProfileBody>;

/** `hex(HMAC-SHA256(hmac_token, identifier))`, compared in constant time. */
export async function verifyIdentifierHash(inbox: InboxRow, identifier: string, hash: string | undefined) {
  if (hash === undefined) {
    if (inbox.hmacMandatory) throw unauthorized("identifier_hash is required: this inbox verifies identities");
    return false;
  }
  if (!safeEqual(hash.toLowerCase(), await hmacSha256Hex(inbox.hmacToken, identifier))) {
    throw unauthorized(
      "Invalid identifier_hash: it must be the hex HMAC-SHA256 of the identifier keyed with the inbox's hmac_token",
    );
  }
  return true;
}

/**
 * `POST /api/v1/profile`, as the help-centre article describes: finds the contact with this
 * `identifier` in the inbox's account (or creates it), makes sure it has a contact_inbox in that
 * inbox, and returns it with `source_id` and `pubsub_token`. The caller must be able to see the
 * inbox (an administrator of its account, or a member of the inbox); otherwise it looks missing.
 */
export async function findOrCreateContactProfile(
  caller: Omit<AgentContext, "accountId">,
  input: ContactProfileInput,
): Promise<ContactWithInboxes & { contactInbox: ContactInboxRow; inbox: InboxRow }> {
  const { db, actor: principal } = caller;
  const [found] = await db
    .select({ inbox: inboxes, role: accountUsers.role, member: inboxMembers.userId })
    .from(inboxes)
    .innerJoin(
      accountUsers,
      and(eq(accountUsers.accountId, inboxes.accountId), eq(accountUsers.userId, principal.user.id)),
    )
    .leftJoin(inboxMembers, and(eq(inboxMembers.inboxId, inboxes.id), eq(inboxMembers.userId, principal.user.id)))
    .where(eq(inboxes.identifier, input.inbox_identifier));
  if (!found || (found.role !== "administrator" && found.member === null)) throw notFound("Inbox");
  const inbox = found.inbox;
  const verified = await verifyIdentifierHash(inbox, input.identifier, input.identifier_hash);
  const { inbox_identifier: _i, identifier_hash: _h, ...fields } = input;
  // The inbox names the account this request acts in.
  const result = await createContact({ ...caller, accountId: inbox.accountId }, { ...fields, inbox_id: inbox.id });
  let contactInbox = result.contactInbox!.contactInbox;
  if (verified && !contactInbox.hmacVerified) {
    [contactInbox] = await db
      .update(contactInboxes)
      .set({ hmacVerified: true })
      .where(eq(contactInboxes.id, contactInbox.id))
      .returning();
  }
  return { ...result, contactInbox, inbox };
}
