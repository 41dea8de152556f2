import { notFound } from "../lib/errors";
import type { AgentRow } from "./agents";
import { visibleInbox } from "./inboxes";
import { addMembers, memberRows, removeMembers, setMembers } from "./member-sets";
import type { Viewer } from "../views/visibility";
import type { ServiceContext } from "./context";

/** The inbox's agents; an inbox the viewer may not see answers 404, like a missing one. */
export async function listInboxMembers(
  { db, accountId }: ServiceContext,
  viewer: Viewer,
  inboxId: number,
): Promise<AgentRow[]> {
  const [inbox, rows] = await db.batch([
    visibleInbox(db, accountId, viewer, inboxId),
    memberRows(db, accountId, "inbox", inboxId),
  ]);
  if (!inbox[0]) throw notFound("Inbox");
  return rows;
}

/** Adds agents to the inbox; returns all its members. */
export const addToInbox = (scope: ServiceContext, inboxId: number, userIds: number[]): Promise<AgentRow[]> =>
  addMembers(scope, "inbox", inboxId, userIds);

/** Makes the inbox's members exactly `userIds`; returns them. */
export const setInboxMembers = (scope: ServiceContext, inboxId: number, userIds: number[]): Promise<AgentRow[]> =>
  setMembers(scope, "inbox", inboxId, userIds);

/** Removes agents from the inbox; returns the remaining members. */
export const removeFromInbox = (scope: ServiceContext, inboxId: number, userIds: number[]): Promise<AgentRow[]> =>
  removeMembers(scope, "inbox", inboxId, userIds);
