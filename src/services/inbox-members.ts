import { notFound } from "../lib/errors";
import type { AgentRow } from "./agents";
import { visibleInbox } from "./inboxes";
import { addMembers, memberRows, removeMembers, setMembers } from "./member-sets";
import type { DB } from "../db/client";
import type { Viewer } from "../views/visibility";

type Scope = { db: DB; accountId: number };

/** The inbox's agents; an inbox the viewer may not see answers 404, like a missing one. */
export async function listInboxMembers({ db, accountId }: Scope, viewer: Viewer, inboxId: number): Promise<AgentRow[]> {
  const [inbox, rows] = await db.batch([
    visibleInbox(db, accountId, viewer, inboxId),
    memberRows(db, accountId, "inbox", inboxId),
  ]);
  if (!inbox[0]) throw notFound("Inbox");
  return rows;
}

/** Adds agents to the inbox; returns all its members. */
export const addToInbox = (scope: Scope, inboxId: number, userIds: number[]): Promise<AgentRow[]> =>
  addMembers(scope, "inbox", inboxId, userIds);

/** Makes the inbox's members exactly `userIds`; returns them. */
export const setInboxMembers = (scope: Scope, inboxId: number, userIds: number[]): Promise<AgentRow[]> =>
  setMembers(scope, "inbox", inboxId, userIds);

/** Removes agents from the inbox; returns the remaining members. */
export const removeFromInbox = (scope: Scope, inboxId: number, userIds: number[]): Promise<AgentRow[]> =>
  removeMembers(scope, "inbox", inboxId, userIds);
