import { z } from "@hono/zod-openapi";
import { NOTIFICATION_TYPES, type NotificationType } from "../db/schema";
import { plainMentions } from "../lib/mentions";
import { iso, unix } from "../lib/time";
import type { AttachmentLinks } from "../lib/attachment-links";
import { type ConversationView, conversation, Conversation } from "./conversation";
import { message, Message, type MessageWithSender } from "./message";
import { availableName, UserPushData } from "./user";

export const Notification = z
  .object({
    id: z.number().int(),
    notification_type: z.enum(NOTIFICATION_TYPES),
    push_message_title: z.string(),
    push_message_body: z.string().describe("The message's sender and its first words"),
    primary_actor_type: z.literal("Conversation"),
    primary_actor_id: z.number().int().describe("The conversation's display id"),
    primary_actor: Conversation.nullable().describe("The conversation, as the conversation routes show it"),
    secondary_actor: Message.nullable().describe("The message that caused it, if any"),
    user: UserPushData.describe("The agent the notification is for"),
    read_at: z.string().nullable().describe("ISO 8601; null while unread"),
    snoozed_until: z.string().nullable().describe("ISO 8601; null unless snoozed"),
    created_at: z.number().int().describe("Unix seconds"),
    last_activity_at: z.number().int().describe("Unix seconds"),
    account_id: z.number().int(),
    meta: z.object({}),
  })
  .openapi("Notification");

/** What a notification's JSON is built from: its row (or the same fields, recorded with its event). */
export type NotificationFields = {
  id: number;
  accountId: number;
  notificationType: NotificationType;
  readAt: number | null;
  snoozedUntil: number | null;
  createdAt: number;
};

export type NotificationSubjects = {
  view: ConversationView | null;
  message: MessageWithSender | null;
  user: z.infer<typeof UserPushData>;
  links: AttachmentLinks;
};

const TITLES: Record<NotificationType, (displayId: number) => string> = {
  conversation_creation: (d) => `A conversation (#${d}) has been created`,
  conversation_assignment: (d) => `A conversation (#${d}) has been assigned to you`,
  assigned_conversation_new_message: (d) => `A new message is created in conversation (#${d})`,
  participating_conversation_new_message: (d) => `A new message is created in conversation (#${d})`,
  conversation_mention: (d) => `You have been mentioned in conversation (#${d})`,
};

/** The first ten words, mentions shown as `@Name` (Chatwoot's `truncate_words(10)`). */
function firstWords(content: string) {
  const words = plainMentions(content).trim().split(/\s+/);
  return words.length > 10 ? `${words.slice(0, 10).join(" ")}...` : words.join(" ");
}

function body(m: MessageWithSender | null) {
  if (!m) return "";
  const content = m.message.content ? firstWords(m.message.content) : m.attachments.length ? "Attachment" : "";
  const sender = m.user ? availableName(m.user) : "";
  return sender ? `${sender}: ${content}` : content;
}

/**
 * Chatwoot's notification JSON (`primary_actor` the conversation, `secondary_actor` the message),
 * `primary_actor_id` the conversation's display id as everywhere on the wire.
 */
export function notification(n: NotificationFields, s: NotificationSubjects): z.infer<typeof Notification> {
  const view = s.view;
  const displayId = view?.conversation.displayId ?? 0;
  const m = s.message;
  const senders = { user: m?.user, userAvailability: m?.availability, contact: view?.contact };
  return {
    id: n.id,
    notification_type: n.notificationType,
    push_message_title: TITLES[n.notificationType](displayId),
    push_message_body: body(m),
    primary_actor_type: "Conversation",
    primary_actor_id: displayId,
    primary_actor: view ? conversation(view) : null,
    secondary_actor:
      m && view ? message(m.message, displayId, senders, { attachments: m.attachments, links: s.links }) : null,
    user: s.user,
    read_at: n.readAt === null ? null : iso(n.readAt),
    snoozed_until: n.snoozedUntil === null ? null : iso(n.snoozedUntil),
    created_at: unix(n.createdAt)!,
    last_activity_at: unix(n.createdAt)!,
    account_id: n.accountId,
    meta: {},
  };
}
