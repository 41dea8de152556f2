import type { EventRow } from "../db/schema";
import { eq } from "drizzle-orm";
import { accounts, contacts, conversations, inboxes } from "../db/schema";
import { iso, unix, unixFloat, unixOrZero } from "../lib/time";
import { contactPushData } from "../serializers/contact";
import type { ConversationView } from "../serializers/conversation";
import { inbox as inboxJson } from "../serializers/inbox";
import { attachment, message as messageJson } from "../serializers/message";
import { userPushData, type UserSummary } from "../serializers/user";
import { conversationViews, toView } from "../views/conversations";
import type { AccountRow, ContactRow, InboxRow, UserRow } from "../db/schema";
import type { DB } from "../db/client";
import { messageWithSender, readMessages } from "../views/messages";

type Json = Record<string, unknown>;

const accountRef = (a: AccountRow) => ({ id: a.id, name: a.name });

/** Chatwoot's `contact.webhook_data` (no `type` key), used as an incoming message's sender. */
function contactWebhookData(c: ContactRow, account: AccountRow) {
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
export function conversationWebhookData(v: ConversationView, account: AccountRow, origin: string): Json {
  const c = v.conversation;
  // One body goes to every target, the API inbox's webhook_url included, which never gets private notes.
  const last =
    v.lastMessage && !v.lastMessage.private
      ? messageJson(
          v.lastMessage,
          c.displayId,
          { user: v.lastMessageUser, userAvailability: v.lastMessageUserAvailability, contact: v.contact },
          { attachments: [], origin },
        )
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
      assignee: v.assignee ? userPushData(v.assignee, v.assigneeAvailability) : null,
      assignee_type: v.assignee ? "User" : null,
      team: v.team ? { id: v.team.id, name: v.team.name, icon: v.team.icon, icon_color: v.team.iconColor } : null,
      hmac_verified: v.contactInbox.hmacVerified,
    },
    messages: last ? [last] : [],
    account: accountRef(account),
  };
}

const inboxRef = (i: InboxRow) => ({ id: i.id, name: i.name, inbox_identifier: i.identifier });

/**
 * Renders an event's body from the database as it is now, plus what was captured when the
 * event was recorded (`changed_attributes`, the typing user). Returns null when the subject is
 * gone (e.g. deleted), in which case there is nothing to send.
 */
export async function renderPayload(db: DB, e: EventRow): Promise<Json | null> {
  const [accountRows, inboxRows, views, contactRows, messageRows] = await db.batch([
    db.select().from(accounts).where(eq(accounts.id, e.accountId)),
    db
      .select()
      .from(inboxes)
      .where(eq(inboxes.id, e.inboxId ?? 0)),
    conversationViews(db, eq(conversations.id, e.conversationId ?? 0)),
    db
      .select()
      .from(contacts)
      .where(eq(contacts.id, e.contactId ?? 0)),
    messageWithSender(db, e.messageId ?? 0),
  ]);
  const account = accountRows[0];
  if (!account) return null;
  const origin = typeof e.data.origin === "string" ? e.data.origin : "";
  const base = { event: e.event, sequence: e.sequence, occurred_at: iso(e.createdAt) };
  const view = views[0] ? toView(views[0]) : null;
  const changed = e.data.changed_attributes ?? null;

  switch (e.event) {
    case "message_created":
    case "message_updated": {
      const m = readMessages(messageRows)[0];
      if (!m || !view || !inboxRows[0]) return null;
      const row = m.message;
      const sender =
        row.senderType === "User" && m.user
          ? userWebhookData(m.user)
          : row.senderType === "Contact"
            ? contactWebhookData(view.contact, account)
            : null;
      return {
        ...base,
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
        inbox: inboxRef(inboxRows[0]),
        conversation: conversationWebhookData(view, account, origin),
        ...(m.attachments.length ? { attachments: m.attachments.map((a) => attachment(a, account.id, origin)) } : {}),
      };
    }
    case "conversation_created":
    case "conversation_status_changed":
    case "conversation_updated":
      if (!view) return null;
      return {
        ...base,
        ...conversationWebhookData(view, account, origin),
        ...(e.event === "conversation_created" ? {} : { changed_attributes: changed }),
      };
    case "conversation_typing_on":
    case "conversation_typing_off":
      if (!view) return null;
      return {
        ...base,
        user: e.data.user ?? null,
        conversation: conversationWebhookData(view, account, origin),
        is_private: Boolean(e.data.is_private),
        account: accountRef(account),
      };
    case "contact_created":
    case "contact_updated": {
      const contact = contactRows[0];
      if (!contact) return null;
      const { account: _a, ...data } = contactWebhookData(contact, account);
      return {
        ...base,
        ...data,
        account: accountRef(account),
        ...(e.event === "contact_updated" ? { changed_attributes: changed } : {}),
      };
    }
    case "inbox_created":
    case "inbox_updated":
      if (!inboxRows[0]) return null;
      return { ...base, ...inboxJson(inboxRows[0], { admin: false }), account: accountRef(account) };
  }
}

/** What a typing event records about who is typing (an agent or the contact). */
export const typingUser = {
  agent: (u: UserRow) => userWebhookData(u),
  contact: (c: ContactRow, account: AccountRow) => contactWebhookData(c, account),
};
