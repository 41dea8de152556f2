import type { MessageRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import type { MessageType } from "../db/schema";
import { unix } from "../lib/time";
import { Attributes } from "../lib/schemas";
import { contactPushData, ContactPushData } from "./contact";
import { userPushData, UserPushData, type UserSummary } from "./user";
import type { ContactRow, StoredAttachment } from "../db/schema";
import { AgentBotPushData, agentBotPushData, type BotSummary } from "./agent-bot";
import { type AttachmentLinks, NO_LINKS, signedUrl } from "../lib/attachment-links";

/** Chatwoot's integer message_type, used everywhere except the top level of webhook bodies. */
export const MESSAGE_TYPE_CODE: Record<MessageType, number> = { incoming: 0, outgoing: 1, activity: 2, template: 3 };

export const Attachment = z
  .object({
    id: z.number().int(),
    message_id: z.number().int(),
    account_id: z.number().int(),
    file_type: z.enum(["image", "audio", "video", "file"]),
    extension: z.string().nullable(),
    content_type: z.string(),
    file_name: z.string(),
    data_url: z.string(),
    thumb_url: z.string(),
    file_size: z.number().int(),
    width: z.null(),
    height: z.null(),
  })
  .openapi("Attachment");

export const Message = z
  .object({
    id: z.number().int(),
    content: z.string().nullable(),
    account_id: z.number().int(),
    inbox_id: z.number().int(),
    conversation_id: z.number().int().describe("The conversation's display id"),
    message_type: z.number().int().describe("0 incoming, 1 outgoing, 2 activity, 3 template"),
    content_type: z.string(),
    status: z.enum(["sent", "delivered", "read", "failed"]),
    content_attributes: Attributes,
    additional_attributes: Attributes,
    created_at: z.number().int(),
    updated_at: z.number().int(),
    private: z.boolean(),
    source_id: z.string().nullable(),
    echo_id: z.string().optional(),
    sender_type: z.string().nullable(),
    sender_id: z.number().int().nullable(),
    sender: z.union([UserPushData, ContactPushData, AgentBotPushData]).optional(),
    attachments: z.array(Attachment),
  })
  .openapi("Message");

/** Who may have sent a message; `userAvailability` is the agent's availability in the account. */
export type MessageSenders = {
  user?: UserSummary | null;
  userAvailability?: string | null;
  bot?: BotSummary | null;
  contact?: ContactRow | null;
};

/** The sender's push data (Chatwoot's `sender`), when the sender still exists. */
export function senderPushData(m: MessageRow, senders: MessageSenders) {
  if (m.senderType === "User" && senders.user) return userPushData(senders.user, senders.userAvailability);
  if (m.senderType === "Contact" && senders.contact) return contactPushData(senders.contact);
  if (m.senderType === "AgentBot" && senders.bot) return agentBotPushData(senders.bot);
  return undefined;
}

/** Attachment push data; `data_url` is a signed link that needs no token and expires (`links.expires`). */
export function attachment(a: StoredAttachment, accountId: number, links: AttachmentLinks): z.infer<typeof Attachment> {
  const url = signedUrl(links, accountId, a.key, a.file_name);
  return {
    id: a.id,
    message_id: a.message_id,
    account_id: accountId,
    file_type: a.file_type,
    extension: a.extension,
    content_type: a.content_type,
    file_name: a.file_name,
    data_url: url,
    thumb_url: a.file_type === "image" ? url : "",
    file_size: a.file_size,
    width: null,
    height: null,
  };
}

/** A message's files and how their links are signed. */
export type MessageFiles = { attachments: StoredAttachment[]; links: AttachmentLinks };

export function message(
  m: MessageRow,
  displayId: number,
  senders: MessageSenders,
  files: MessageFiles = { attachments: [], links: NO_LINKS },
): z.infer<typeof Message> {
  const sender = senderPushData(m, senders);
  return {
    id: m.id,
    content: m.content,
    account_id: m.accountId,
    inbox_id: m.inboxId,
    conversation_id: displayId,
    message_type: MESSAGE_TYPE_CODE[m.messageType],
    content_type: m.contentType,
    status: m.status,
    content_attributes: m.contentAttributes,
    additional_attributes: m.additionalAttributes,
    created_at: unix(m.createdAt)!,
    updated_at: unix(m.updatedAt)!,
    private: m.private,
    source_id: m.sourceId,
    ...(m.echoId ? { echo_id: m.echoId } : {}),
    sender_type: m.senderType,
    sender_id: m.senderId,
    ...(sender ? { sender } : {}),
    attachments: files.attachments.map((a) => attachment(a, m.accountId, files.links)),
  };
}

/** A message as the views read it: with its sender (user or bot) and its files. */
export type MessageWithSender = {
  message: MessageRow;
  user: UserSummary | null;
  availability: string | null;
  /** The bot that sent it (sender_type AgentBot), if it still exists. */
  bot: BotSummary | null;
  attachments: StoredAttachment[];
};
