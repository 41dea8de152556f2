import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { inboxMembers } from "../db/schema";
import { inList } from "../db/select";

/**
 * Who is looking: a user of the account, and whether they are one of its administrators; or an
 * agent bot, which sees the inboxes it is attached to (`botInboxIds`, read with its token).
 */
export type Viewer = { userId: number; admin: boolean; botInboxIds?: readonly number[] };

/**
 * The one visibility rule, as a condition on an inbox id: administrators see every inbox of the
 * account, other agents the inboxes they are members of. Undefined when nothing is hidden.
 * Conversations, contact_inboxes, inboxes and realtime replay all apply it through here; the
 * live realtime frames apply the same rule to memberships loaded with the events (`seesLoadedInbox`).
 * `admin` may be a condition read when the statement runs (a realtime replay: a role changed
 * since the socket opened applies at once), and then `userId` a subquery too (the change feed,
 * read in the token check's batch).
 */
export function seesInbox(viewer: Viewer | { userId: number | SQL; admin: SQL }, inboxId: SQLWrapper): SQL | undefined {
  if ("botInboxIds" in viewer && viewer.botInboxIds) return inList(sql`${inboxId}`, viewer.botInboxIds);
  if (viewer.admin === true) return undefined;
  const member = sql`${inboxId} in (select ${inboxMembers.inboxId} from ${inboxMembers}
    where ${inboxMembers.userId} = ${viewer.userId})`;
  return viewer.admin === false ? member : sql`(${viewer.admin} or ${member})`;
}

/** `seesInbox` over loaded rows: the viewer's role and the inboxes they are a member of. */
export const seesLoadedInbox = (admin: boolean, memberOf: Set<number> | undefined, inboxId: number) =>
  admin || Boolean(memberOf?.has(inboxId));
