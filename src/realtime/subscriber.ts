import { eq, sql, type SQL } from "drizzle-orm";
import { accounts, accountUsers, contactInboxes, inboxes, users } from "../db/schema";
import { credentialUserId } from "../services/auth";
import { sha256Hex } from "../lib/crypto";
import type { Credentials, Subscriber } from "./protocol";
import type { DB } from "../db/client";

type Membership = { userId: number; accountId: number; status: string };

const contactBy = (db: DB, token: string) =>
  db
    .select({
      contactInboxId: contactInboxes.id,
      contactId: contactInboxes.contactId,
      inboxId: contactInboxes.inboxId,
      hmacVerified: contactInboxes.hmacVerified,
      hmacMandatory: inboxes.hmacMandatory,
      accountId: inboxes.accountId,
      status: accounts.status,
    })
    .from(contactInboxes)
    .innerJoin(inboxes, eq(inboxes.id, contactInboxes.inboxId))
    .innerJoin(accounts, eq(accounts.id, inboxes.accountId))
    .where(eq(contactInboxes.pubsubToken, token))
    .limit(1);

/** Every account membership of the user a condition on `users` picks. */
const membershipsWhere = (db: DB, who: SQL) =>
  db
    .select({ userId: users.id, accountId: accountUsers.accountId, status: accounts.status })
    .from(users)
    .innerJoin(accountUsers, eq(accountUsers.userId, users.id))
    .innerJoin(accounts, eq(accounts.id, accountUsers.accountId))
    .where(who);

/**
 * The membership an agent subscribes with: the named account, or their only one. A suspended
 * account, another user's `user_id`, or an ambiguous choice give none.
 */
function pickMembership(rows: Membership[], creds: Credentials): Membership | null {
  const usable = rows.filter((r) => r.status === "active" && (creds.userId === undefined || r.userId === creds.userId));
  if (creds.accountId !== undefined) return usable.find((r) => r.accountId === creds.accountId) ?? null;
  const all = rows.filter((r) => creds.userId === undefined || r.userId === creds.userId);
  return all.length === 1 && usable.length === 1 ? usable[0] : null;
}

/**
 * Who may subscribe with these credentials, in one D1 round trip, or null. A `pubsub_token` is
 * first a contact_inbox's (refused when its inbox demands HMAC identity and it is not verified),
 * then a user's; an access token, when given, names the user instead. Users get an account
 * membership (see pickMembership).
 */
export async function authenticateSubscriber(db: DB, creds: Credentials): Promise<Subscriber | null> {
  const { pubsubToken, accessToken } = creds;
  if (!pubsubToken && !accessToken) return null;
  const who = accessToken
    ? sql`${users.id} = ${credentialUserId({ kind: "token", hash: await sha256Hex(accessToken) })}`
    : sql`${users.pubsubToken} = ${pubsubToken}`;
  const [members, contactRows] = (await db.batch([
    membershipsWhere(db, who),
    ...(pubsubToken ? [contactBy(db, pubsubToken)] : []),
  ])) as [Membership[], Awaited<ReturnType<typeof contactBy>>?];
  const contact = contactRows?.[0];
  if (contact) {
    if (contact.status !== "active" || (contact.hmacMandatory && !contact.hmacVerified)) return null;
    const { contactInboxId, contactId, inboxId, accountId } = contact;
    return { kind: "contact", accountId, contactId, contactInboxId, inboxId };
  }
  const chosen = pickMembership(members, creds);
  return chosen ? { kind: "agent", accountId: chosen.accountId, userId: chosen.userId } : null;
}
