import { sql } from "drizzle-orm";
import { accountUsers } from "../../db/schema";
import { authenticate, creationReads, pathId } from "../../middleware/auth";
import { contactCreateReads } from "../../services/contacts";
import { ContactCreateBody } from "./contacts.schemas";

/**
 * Contact create: `c.var.creationReads`, what the service reads before it writes (the contact
 * with this identifier, the inbox named if the caller sees it, its contact_inbox), read with the
 * token check. Who sees the inbox is decided in the query, from the caller's role and
 * memberships as they are when it runs.
 */
export const withCreationReads = authenticate({
  account: true,
  load: creationReads(ContactCreateBody, "contact", (c, callerId, input) => {
    const accountId = pathId(c, "account_id");
    const admin = sql`exists (select 1 from ${accountUsers} where ${accountUsers.accountId} = ${accountId}
      and ${accountUsers.userId} = ${callerId} and ${accountUsers.role} = 'administrator')`;
    return contactCreateReads(c.var.db, accountId, { userId: callerId as unknown as number, admin }, input);
  }),
});
