import { iso, unix, unixFloat, unixOrZero } from "../lib/time";
import { contactPushData } from "../serializers/contact";
import { type ConversationView, lastMessageSenders } from "../serializers/conversation";
import { agentBotSlim, agentBotWebhookData, botSummary } from "../serializers/agent-bot";
import { inbox as inboxJson } from "../serializers/inbox";
import { attachment, message as messageJson } from "../serializers/message";
import { userPushData, type UserSummary } from "../serializers/user";
import type { AccountRow, AgentBotRow, ContactRow, InboxRow, UserRow } from "../db/schema";
import type { EventHead, Subjects } from "./load";
import { type AttachmentLinks, NO_LINKS } from "../lib/attachment-links";

export type Json = Record<string, unknown>;

const accountRef = (a: AccountRow) => ({ id: a.id, name: a.name });

/** Chatwoot's `contact.webhook_data` (no `type` key), used as an incoming message's sender. */
export function contactWebhookData(c: ContactRow, account: AccountRow) {
  return {
    account: accountRef(account),
    additional_attributes: c.additionalAttributes,
    avatar: c.avatarUrl ?? "",
    custom_attributes: c.customAttributes,
    email: c.email,
    id: c.id,
    identifier: c.identifier,
    name: c.name,
    phone_number: c.phoneNumber,
    thumbnail: c.avatarUrl ?? "",
    blocked: c.blocked,
  };
}

const userWebhookData = (u: UserSummary) => ({ id: u.id, name: u.name, email: u.email, type: "user" });

/**
 * Chatwoot's conversation `webhook_data`. The contact_inbox carries `source_id` for calling
 * the client API back, and never its `pubsub_token`.
 */
export function conversationWebhookData(v: ConversationView, account: AccountRow): Json {
  const c = v.conversation;
  // One body goes to every target, the API inbox's webhook_url included, which never gets private notes.
  const last =
    v.lastMessage && !v.lastMessage.private
      ? messageJson(v.lastMessage, c.displayId, lastMessageSenders(v), { attachments: [], links: NO_LINKS })
      : null;
  return {
    id: c.displayId,
    uuid: c.uuid,
    inbox_id: c.inboxId,
    channel: "Channel::Api",
    status: c.status,
    priority: c.priority,
    can_reply: true,
    labels: c.labels,
    custom_attributes: c.customAttributes,
    additional_attributes: c.additionalAttributes,
    snoozed_until: unix(c.snoozedUntil),
    unread_count: v.unreadCount,
    first_reply_created_at: unix(c.firstReplyCreatedAt),
    waiting_since: unixOrZero(c.waitingSince),
    agent_last_seen_at: unixOrZero(c.agentLastSeenAt),
    contact_last_seen_at: unixOrZero(c.contactLastSeenAt),
    last_activity_at: unix(c.lastActivityAt),
    timestamp: unix(c.lastActivityAt),
    created_at: unix(c.createdAt),
    updated_at: unixFloat(c.updatedAt),
    contact_inbox: {
      id: v.contactInbox.id,
      contact_id: v.contactInbox.contactId,
      inbox_id: v.contactInbox.inboxId,
      source_id: v.contactInbox.sourceId,
      hmac_verified: v.contactInbox.hmacVerified,
      created_at: iso(v.contactInbox.createdAt),
      updated_at: iso(v.contactInbox.updatedAt),
    },
    meta: {
      sender: contactPushData(v.contact),
      // Chatwoot's `assigned_entity`: the bot holding the conversation, else the agent.
      assignee: v.assigneeBot
        ? agentBotSlim(v.assigneeBot)
        : v.assignee
          ? userPushData(v.assignee, v.assigneeAvailability)
          : null,
      assignee_type: v.assigneeBot ? "AgentBot" : v.assignee ? "User" : null,
      team: v.team ? { id: v.team.id, name: v.team.name, icon: v.team.icon, icon_color: v.team.iconColor } : null,
      hmac_verified: v.contactInbox.hmacVerified,
    },
    messages: last ? [last] : [],
    account: accountRef(account),
  };
}

const inboxRef = (i: InboxRow) => ({ id: i.id, name: i.name, inbox_identifier: i.identifier });

/**
 * A webhook body renderer: the event's subjects as they are now, plus what was captured when the
 * event was recorded (`changed_attributes`, the typing user, a deleted contact). Null when a
 * subject is gone (e.g. deleted): there is nothing to send. `renderBody` puts `event`,
 * `sequence` and `occurred_at` first.
 */
export type BodyRenderer = (e: EventHead, s: Subjects & { account: AccountRow }, links: AttachmentLinks) => Json | null;

const changedAttributes = (e: EventHead) => e.data.changed_attributes ?? null;

export const messageBody: BodyRenderer = (_e, { account, inbox, view, message: m }, links) => {
  if (!m || !view || !inbox) return null;
  const row = m.message;
  const sender =
    row.senderType === "User" && m.user
      ? userWebhookData(m.user)
      : row.senderType === "Contact"
        ? contactWebhookData(view.contact, account)
        : row.senderType === "AgentBot" && m.bot
          ? agentBotWebhookData(m.bot)
          : null;
  return {
    id: row.id,
    content: row.content,
    content_type: row.contentType,
    content_attributes: row.contentAttributes,
    message_type: row.messageType,
    private: row.private,
    status: row.status,
    source_id: row.sourceId,
    ...(row.echoId ? { echo_id: row.echoId } : {}),
    created_at: iso(row.createdAt),
    additional_attributes: row.additionalAttributes,
    sender,
    account: accountRef(account),
    inbox: inboxRef(inbox),
    conversation: conversationWebhookData(view, account),
    ...(m.attachments.length ? { attachments: m.attachments.map((a) => attachment(a, account.id, links)) } : {}),
  };
};

/** A conversation's webhook data; `changed` adds what changed (status and update events). */
export const conversationBody =
  (opts: { changed: boolean }): BodyRenderer =>
  (e, { account, view }) =>
    view
      ? {
          ...conversationWebhookData(view, account),
          ...(opts.changed ? { changed_attributes: changedAttributes(e) } : {}),
        }
      : null;

export const typingBody: BodyRenderer = (e, { account, view }) =>
  view
    ? {
        user: e.data.user ?? null,
        conversation: conversationWebhookData(view, account),
        is_private: Boolean(e.data.is_private),
        account: accountRef(account),
      }
    : null;

const contactData = (c: ContactRow, account: AccountRow, changed: unknown) => {
  const { account: _a, ...data } = contactWebhookData(c, account);
  return { ...data, account: accountRef(account), ...(changed === undefined ? {} : { changed_attributes: changed }) };
};

export const contactBody =
  (opts: { changed: boolean }): BodyRenderer =>
  (e, { account, contact }) =>
    contact ? contactData(contact, account, opts.changed ? changedAttributes(e) : undefined) : null;

/**
 * The contact as it was when it was deleted (`data.contact`, recorded with the event): the row is gone. A
 * contact merged into another names it (`merged_into_contact_id`).
 */
export const deletedContactBody: BodyRenderer = (e, { account }) => {
  const contact = deletedContact(e);
  const into = e.data.merged_into_contact_id;
  const merged = typeof into === "number" ? { merged_into_contact_id: into } : {};
  return contact ? { ...contactData(contact, account, undefined), ...merged } : null;
};

export const inboxBody: BodyRenderer = (_e, { account, inbox }) =>
  inbox ? { ...inboxJson(inbox, { admin: false }), account: accountRef(account) } : null;

/**
 * The contact row a `contact_deleted` event recorded (dates as numbers, as in the row). The JSON
 * merge that stores it drops null fields, and `blocked` comes as 0/1: both are restored here.
 */
export function deletedContact(e: EventHead): ContactRow | null {
  const c = (e.data.contact ?? {}) as Partial<ContactRow>;
  if (typeof c.id !== "number") return null;
  return {
    id: c.id,
    accountId: c.accountId ?? e.accountId,
    name: c.name ?? "",
    email: c.email ?? null,
    phoneNumber: c.phoneNumber ?? null,
    identifier: c.identifier ?? null,
    avatarUrl: c.avatarUrl ?? null,
    blocked: Boolean(c.blocked),
    customAttributes: c.customAttributes ?? {},
    additionalAttributes: c.additionalAttributes ?? {},
    lastActivityAt: c.lastActivityAt ?? null,
    createdAt: c.createdAt ?? e.createdAt,
    updatedAt: c.updatedAt ?? e.createdAt,
  };
}

/** What a typing event records about who is typing (an agent or the contact). */
export const typingUser = {
  agent: (u: UserRow) => userWebhookData(u),
  bot: (b: AgentBotRow) => agentBotWebhookData(botSummary(b)),
  contact: (c: ContactRow, account: AccountRow) => contactWebhookData(c, account),
};
