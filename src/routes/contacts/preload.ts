import { sql } from "drizzle-orm";
import { accountUsers } from "../../db/schema";
import { peekBody } from "../../lib/body";
import { authenticate, type Load, pathId } from "../../middleware/auth";
import { contactCreateReads } from "../../services/contacts";
import { ContactCreateBody } from "./contacts.schemas";

/**
 * Contact create: what the service reads before it writes (the contact with this identifier, the
 * inbox named if the caller sees it, its contact_inbox), read with the token check, so a create
 * costs two round trips. Who sees the inbox is decided in the query, from the caller's role and
 * memberships as they are when it runs. A body that will be refused reads nothing: its error is
 * told after authentication.
 */
const creation: Load<{ creationReads: unknown[] | undefined }> = {
  queries: async (c, callerId) => {
    const input = await peekBody(c, ContactCreateBody, "contact");
    if (!input) return [];
    const accountId = pathId(c, "account_id");
    const admin = sql`exists (select 1 from ${accountUsers} where ${accountUsers.accountId} = ${accountId}
      and ${accountUsers.userId} = ${callerId} and ${accountUsers.role} = 'administrator')`;
    const caller = { userId: callerId as unknown as number, admin };
    return [...contactCreateReads(c.var.db, accountId, caller, input)];
  },
  apply: (rows) => ({ creationReads: rows.length > 0 ? rows : undefined }),
};

/** Contact create: `c.var.creationReads`, what the service reads first. */
export const withCreationReads = authenticate({ account: true, load: creation });
