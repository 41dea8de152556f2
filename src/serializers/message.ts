import { z } from "@hono/zod-openapi";
import type { messages, MessageType } from "../db/schema";
import { unix } from "../lib/time";
import type { UserRow } from "../services/auth";
import { Attributes } from "./common";
import { contactPushData, ContactPushData, type ContactRow } from "./contact";
import { userPushData, UserPushData } from "./user";

export type MessageRow = typeof messages.$inferSelect;

/** Chatwoot's integer message_type, used everywhere except the top level of webhook bodies. */
export const MESSAGE_TYPE_CODE: Record<MessageType, number> = { incoming: 0, outgoing: 1, activity: 2, template: 3 };

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
    sender: z.union([UserPushData, ContactPushData]).optional(),
    attachments: z.array(z.unknown()),
  })
  .openapi("Message");

export type MessageSenders = { user?: UserRow | null; contact?: ContactRow | null };

export function message(m: MessageRow, displayId: number, senders: MessageSenders): z.infer<typeof Message> {
  const sender =
    m.senderType === "User" && senders.user
      ? userPushData(senders.user)
      : m.senderType === "Contact" && senders.contact
        ? contactPushData(senders.contact)
        : undefined;
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
    attachments: [],
  };
}
