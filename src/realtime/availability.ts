import { and, eq } from "drizzle-orm";
import { accountUsers, type Availability } from "../db/schema";
import type { DB } from "../db/client";

/** One guarded write: `from` → `to`, and for going away only agents who asked for auto_offline. */
async function move(
  db: DB,
  accountId: number,
  userId: number,
  from: Availability,
  to: Availability,
  onlyAutoOffline: boolean,
) {
  const rows = await db
    .update(accountUsers)
    .set({ availability: to })
    .where(
      and(
        eq(accountUsers.accountId, accountId),
        eq(accountUsers.userId, userId),
        eq(accountUsers.availability, from),
        onlyAutoOffline ? eq(accountUsers.autoOffline, true) : undefined,
      ),
    )
    .returning({ id: accountUsers.id });
  return rows.length > 0;
}

/**
 * An agent closed their last socket to the account: online with `auto_offline` becomes offline.
 * True when it changed (so the hub remembers to bring them back); busy, offline or
 * auto_offline=false agents are left alone.
 */
export const goAutoOffline = (db: DB, accountId: number, userId: number) =>
  move(db, accountId, userId, "online", "offline", true);

/**
 * An auto-offlined agent connected again: offline becomes online. True when it changed; an agent
 * who chose another availability meanwhile keeps it.
 */
export const comeBackOnline = (db: DB, accountId: number, userId: number) =>
  move(db, accountId, userId, "offline", "online", false);

export type PresenceData = {
  account_id: number;
  users: Record<string, Availability>;
  contacts: Record<string, "online">;
};

/**
 * Chatwoot's `presence.update` data. Every member of the account is listed: an agent with
 * auto_offline counts as offline while they have no socket open, whatever is stored; others show
 * their availability. Contacts are online while they hold a socket.
 */
export async function presenceData(
  db: DB,
  accountId: number,
  connected: { users: Set<number>; contacts: Set<number> },
): Promise<PresenceData> {
  const rows = await db
    .select({
      userId: accountUsers.userId,
      availability: accountUsers.availability,
      autoOffline: accountUsers.autoOffline,
    })
    .from(accountUsers)
    .where(eq(accountUsers.accountId, accountId));
  const users: Record<string, Availability> = {};
  for (const r of rows) users[r.userId] = r.autoOffline && !connected.users.has(r.userId) ? "offline" : r.availability;
  const contacts: Record<string, "online"> = {};
  for (const id of connected.contacts) contacts[id] = "online";
  return { account_id: accountId, users, contacts };
}
