import { sql, type SQL } from "drizzle-orm";
import { messages } from "../db/schema";
import type { ConversationStatus, Priority } from "../db/schema";
import type { DB } from "../db/client";

/** Chatwoot's activity texts, recorded in the conversation as it changes. */
export const activityText = {
  status: (status: ConversationStatus, by: string) =>
    ({
      resolved: `Conversation was marked resolved by ${by}`,
      open: `Conversation was reopened by ${by}`,
      pending: `Conversation was marked as pending by ${by}`,
      snoozed: `Conversation was snoozed by ${by}`,
    })[status],
  assigned: (assignee: string, by: string) => `Assigned to ${assignee} by ${by}`,
  selfAssigned: (by: string) => `${by} self-assigned this conversation`,
  unassigned: (by: string) => `Conversation unassigned by ${by}`,
  teamAssigned: (team: string, by: string) => `Assigned to ${team} by ${by}`,
  teamRemoved: (team: string, by: string) => `Unassigned from ${team} by ${by}`,
  labelsAdded: (labels: string[], by: string) => `${by} added ${labels.join(", ")}`,
  labelsRemoved: (labels: string[], by: string) => `${by} removed ${labels.join(", ")}`,
  priority: (from: Priority | null, to: Priority | null, by: string) =>
    to === null
      ? `${by} removed the priority`
      : from === null
        ? `${by} set the priority to ${to}`
        : `${by} changed the priority from ${from} to ${to}`,
};

/**
 * An activity message insert, for the same batch as the change it records. `conversationId`
 * may be a subquery when the conversation is created in that batch.
 */
export function activityInsert(
  db: DB,
  where: { accountId: number; inboxId: number; conversationId: number | SQL },
  content: string,
  at = Date.now(),
) {
  return db.insert(messages).values({
    accountId: where.accountId,
    inboxId: where.inboxId,
    conversationId: where.conversationId as number,
    content,
    messageType: "activity",
    contentType: "text",
    createdAt: at,
    updatedAt: at,
  });
}

export const conversationIdByUuid = (uuid: string) => sql`(select id from conversations where uuid = ${uuid})`;
