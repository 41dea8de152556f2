import { and, eq, sql, type SQL } from "drizzle-orm";
import { seesInbox, type Viewer } from "./visibility";
import { alias } from "drizzle-orm/sqlite-core";
import { accountUsers, contactInboxes, contacts, conversations, messages, teams, users } from "../db/schema";
import { orNull, prefixed, prefixedPick } from "../db/select";
import type { ConversationView } from "../serializers/conversation";
import { USER_SUMMARY } from "../serializers/user";
import { BOT_SUMMARY_JSON, type BotSummary, parseBotSummary } from "../serializers/agent-bot";
import { senderBotColumn } from "./messages";
import type { DB } from "../db/client";

const assignee = alias(users, "assignee");
const assigneeMembership = alias(accountUsers, "assignee_membership");
const lastMessage = alias(messages, "last_message");
const lastMessageUser = alias(users, "last_message_user");
const lastMessageUserMembership = alias(accountUsers, "last_message_user_membership");

/**
 * One statement that loads conversations with everything their JSON shows: contact,
 * contact_inbox, assignee (and availability), team, last message and its sender, unread count.
 * Users come as their summary (never their password hash or pubsub token), which also keeps the
 * statement well under D1's limit of 100 result columns.
 */
export function conversationViews(db: DB, where: SQL | undefined) {
  return db
    .select({
      conversation: prefixed(conversations, "c"),
      contact: prefixed(contacts, "ct"),
      contactInbox: prefixed(contactInboxes, "ci"),
      assignee: prefixedPick(assignee, "asg", USER_SUMMARY),
      assigneeAvailability: sql<string | null>`${assigneeMembership.availability}`.as("asg_availability"),
      team: prefixed(teams, "t"),
      lastMessage: prefixed(lastMessage, "lm"),
      lastMessageUser: prefixedPick(lastMessageUser, "lmu", USER_SUMMARY),
      lastMessageUserAvailability: sql<string | null>`${lastMessageUserMembership.availability}`.as("lmu_availability"),
      lastMessageBot: senderBotColumn(lastMessage, "lm_bot"),
      // One JSON column each: the join stays under D1's 100 result columns.
      assigneeBot: sql<BotSummary | null>`(select ${sql.raw(BOT_SUMMARY_JSON)} from agent_bots b
        where b.id = ${conversations.assigneeAgentBotId})`
        .mapWith(parseBotSummary)
        .as("asg_bot"),
      unreadCount: sql<number>`(select count(*) from ${messages} m where m.conversation_id = ${conversations.id}
        and m.message_type = 'incoming' and m.created_at > coalesce(${conversations.agentLastSeenAt}, 0))`
        .mapWith(Number)
        .as("unread_count"),
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(contactInboxes, eq(contactInboxes.id, conversations.contactInboxId))
    .leftJoin(assignee, eq(assignee.id, conversations.assigneeId))
    .leftJoin(
      assigneeMembership,
      and(
        eq(assigneeMembership.userId, conversations.assigneeId),
        eq(assigneeMembership.accountId, conversations.accountId),
      ),
    )
    .leftJoin(teams, eq(teams.id, conversations.teamId))
    .leftJoin(lastMessage, eq(lastMessage.id, conversations.lastMessageId))
    .leftJoin(lastMessageUser, and(eq(lastMessageUser.id, lastMessage.senderId), eq(lastMessage.senderType, "User")))
    .leftJoin(
      lastMessageUserMembership,
      and(
        eq(lastMessageUserMembership.userId, lastMessageUser.id),
        eq(lastMessageUserMembership.accountId, conversations.accountId),
      ),
    )
    .where(where);
}

export type ConversationViewRow = Awaited<ReturnType<typeof conversationViews>>[number];
export const toView = (r: ConversationViewRow): ConversationView => ({
  ...r,
  assignee: orNull(r.assignee),
  team: orNull(r.team),
  lastMessage: orNull(r.lastMessage),
  lastMessageUser: orNull(r.lastMessageUser),
  lastMessageBot: r.lastMessageBot ?? null,
  assigneeBot: r.assigneeBot ?? null,
});

/** The visibility rule (`seesInbox`) as a condition on `conversations`. */
export const conversationsVisibleTo = (v: Viewer): SQL | undefined => seesInbox(v, conversations.inboxId);

export function byDisplayId(accountId: number, displayId: number): SQL {
  return and(eq(conversations.accountId, accountId), eq(conversations.displayId, displayId))!;
}
