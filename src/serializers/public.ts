import { z } from "@hono/zod-openapi";
import { unix, unixOrZero } from "../lib/time";
import { Attributes } from "../lib/schemas";
import { Contact, ContactPushData } from "./contact";
import type { ConversationView } from "./conversation";
import {
  Attachment,
  attachment,
  MESSAGE_TYPE_CODE,
  type MessageFiles,
  type MessageSenders,
  senderPushData,
} from "./message";
import { UserPushData } from "./user";
import { AgentBotPushData } from "./agent-bot";
import { WorkingDay, workingHours } from "./inbox";
import type { ContactInboxRow, ContactRow, InboxRow, MessageRow } from "../db/schema";

/**
 * The client API's shapes (Chatwoot's `public/api/v1` views). An end user sees their own contact,
 * their conversations and the messages meant for them; never an agent's e-mail, a private note,
 * an activity message or an inbox secret.
 */

export const PublicInbox = z
  .object({
    identifier: z.string(),
    identity_validation_enabled: z.boolean(),
    name: z.string(),
    timezone: z.string(),
    working_hours: z.array(WorkingDay),
    working_hours_enabled: z.boolean(),
    csat_survey_enabled: z.boolean(),
    greeting_enabled: z.boolean(),
    greeting_message: z.string().nullable(),
  })
  .openapi("PublicInbox");

export const publicInbox = (i: InboxRow): z.infer<typeof PublicInbox> => ({
  identifier: i.identifier,
  identity_validation_enabled: i.hmacMandatory,
  name: i.name,
  timezone: i.timezone,
  working_hours: workingHours(i),
  working_hours_enabled: i.workingHoursEnabled,
  csat_survey_enabled: i.csatSurveyEnabled,
  greeting_enabled: i.greetingEnabled,
  greeting_message: i.greetingMessage,
});

export const PublicContact = z
  .object({
    source_id: z.string(),
    pubsub_token: z.string().describe("Subscribes this session to /cable"),
    id: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    identifier: z.string().nullable(),
    avatar_url: z.string(),
    custom_attributes: Attributes,
    hmac_verified: z.boolean(),
  })
  .openapi("PublicContact");

export const publicContact = (c: ContactRow, ci: ContactInboxRow): z.infer<typeof PublicContact> => ({
  source_id: ci.sourceId,
  pubsub_token: ci.pubsubToken,
  id: c.id,
  name: c.name,
  email: c.email,
  phone_number: c.phoneNumber,
  identifier: c.identifier,
  avatar_url: c.avatarUrl ?? "",
  custom_attributes: c.customAttributes,
  hmac_verified: ci.hmacVerified,
});

export const PublicMessage = z
  .object({
    id: z.number().int(),
    content: z.string().nullable(),
    message_type: z.number().int().describe("0 incoming (from the contact), 1 outgoing, 3 template"),
    content_type: z.string(),
    content_attributes: Attributes,
    created_at: z.number().int(),
    conversation_id: z.number().int().describe("The conversation's display id"),
    status: z.enum(["sent", "delivered", "read", "failed"]),
    echo_id: z.string().optional(),
    attachments: z.array(Attachment).optional(),
    sender: z.union([UserPushData, ContactPushData, AgentBotPushData]).optional(),
  })
  .openapi("PublicMessage");

type PublicSenders = MessageSenders & { contact: ContactRow };

export function publicMessage(
  m: MessageRow,
  displayId: number,
  senders: PublicSenders,
  files: MessageFiles,
): z.infer<typeof PublicMessage> {
  const sender = senderPushData(m, senders);
  return {
    id: m.id,
    content: m.content,
    message_type: MESSAGE_TYPE_CODE[m.messageType],
    content_type: m.contentType,
    content_attributes: m.contentAttributes,
    created_at: unix(m.createdAt)!,
    conversation_id: displayId,
    status: m.status,
    ...(m.echoId ? { echo_id: m.echoId } : {}),
    ...(files.attachments.length
      ? { attachments: files.attachments.map((a) => attachment(a, m.accountId, files.links)) }
      : {}),
    ...(sender ? { sender } : {}),
  };
}

const PublicConversationContact = Contact.pick({
  id: true,
  name: true,
  email: true,
  phone_number: true,
  identifier: true,
  blocked: true,
  additional_attributes: true,
  custom_attributes: true,
  last_activity_at: true,
  created_at: true,
})
  .extend({ avatar_url: z.string(), updated_at: z.number().int() })
  .openapi("PublicConversationContact");

export const PublicConversation = z
  .object({
    id: z.number().int().describe("The conversation's display id"),
    uuid: z.string(),
    inbox_id: z.number().int(),
    status: z.enum(["open", "resolved", "pending", "snoozed"]),
    contact_last_seen_at: z.number().int(),
    agent_last_seen_at: z.number().int(),
    created_at: z.number().int(),
    messages: z
      .array(PublicMessage)
      .describe("The latest messages, oldest first (page older ones with GET …/messages?before=)"),
    contact: PublicConversationContact,
  })
  .openapi("PublicConversation");

export function publicConversation(
  v: ConversationView,
  messages: z.infer<typeof PublicMessage>[],
): z.infer<typeof PublicConversation> {
  const c = v.conversation;
  const ct = v.contact;
  return {
    id: c.displayId,
    uuid: c.uuid,
    inbox_id: c.inboxId,
    status: c.status,
    contact_last_seen_at: unixOrZero(c.contactLastSeenAt),
    agent_last_seen_at: unixOrZero(c.agentLastSeenAt),
    created_at: unix(c.createdAt)!,
    messages,
    contact: {
      id: ct.id,
      name: ct.name,
      email: ct.email,
      phone_number: ct.phoneNumber,
      identifier: ct.identifier,
      avatar_url: ct.avatarUrl ?? "",
      blocked: ct.blocked,
      additional_attributes: ct.additionalAttributes,
      custom_attributes: ct.customAttributes,
      last_activity_at: unix(ct.lastActivityAt),
      created_at: unix(ct.createdAt)!,
      updated_at: unix(ct.updatedAt)!,
    },
  };
}
