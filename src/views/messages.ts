import { and, eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { DB } from "../db/client";
import { accountUsers, attachments, messages, type MessageRow, type StoredAttachment, users } from "../db/schema";
import type { ContactRow } from "../db/schema";
import { orNull, prefixed, prefixedPick } from "../db/select";
import { USER_SUMMARY, type UserSummary } from "../serializers/user";
import { BOT_SUMMARY_JSON, type BotSummary, parseBotSummary } from "../serializers/agent-bot";
import type { MessageWithSender } from "../serializers/message";

export type { MessageWithSender };

/** A column with the bot that sent a message (`BotSummary` JSON), or null; `message` is the messages table or alias. */
export function senderBotColumn(message: { senderId: SQL | unknown; senderType: SQL | unknown }, alias: string) {
  return sql<BotSummary | null>`(select ${sql.raw(BOT_SUMMARY_JSON)} from agent_bots b
    where b.id = ${message.senderId} and ${message.senderType} = 'AgentBot')`
    .mapWith(parseBotSummary)
    .as(alias);
}

/** A column with a message's attachments as JSON, for selects over `messages`. */
export function attachmentsColumn(messageId: SQL | unknown) {
  return sql<string>`(select json_group_array(json_object('id', a.id, 'message_id', a.message_id, 'key', a.key,
    'file_type', a.file_type, 'file_name', a.file_name, 'extension', a.extension, 'content_type', a.content_type,
    'file_size', a.file_size)) from ${attachments} a where a.message_id = ${messageId})`;
}

export const parseAttachments = (json: string | null): StoredAttachment[] => (json ? JSON.parse(json) : []);

type Row = {
  message: MessageRow;
  user: UserSummary;
  availability: string | null;
  bot: BotSummary | null;
  attachments: string;
};

const senderMembership = alias(accountUsers, "sender_membership");

/** Messages with their sender (as their summary) and attachments; add the `where` and order. */
export function withSenders(db: DB) {
  return db
    .select({
      message: prefixed(messages, "m"),
      user: prefixedPick(users, "u", USER_SUMMARY),
      availability: sql<string | null>`${senderMembership.availability}`.as("m_sender_availability"),
      bot: senderBotColumn(messages, "m_sender_bot"),
      attachments: attachmentsColumn(messages.id).as("m_attachments"),
    })
    .from(messages)
    .leftJoin(users, and(eq(users.id, messages.senderId), eq(messages.senderType, "User")))
    .leftJoin(
      senderMembership,
      and(eq(senderMembership.userId, users.id), eq(senderMembership.accountId, messages.accountId)),
    );
}

/** Rows of `withSenders` as messages: attachments parsed, a missing sender as null. */
export const readMessages = (rows: unknown): MessageWithSender[] =>
  (rows as Row[]).map((r) => ({
    message: r.message,
    user: orNull(r.user),
    availability: r.availability,
    bot: r.bot ?? null,
    attachments: parseAttachments(r.attachments),
  }));

/** Who may have sent a message, as the message serializers take them (`MessageSenders`). */
export const sendersOf = (m: MessageWithSender, contact: ContactRow) => ({
  user: m.user,
  userAvailability: m.availability,
  bot: m.bot,
  contact,
});

/** One message with its sender and attachments. */
export const messageWithSender = (db: DB, messageId: number) => withSenders(db).where(eq(messages.id, messageId));
