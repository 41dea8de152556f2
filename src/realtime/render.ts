import type { WebhookEvent } from "../db/schema";
import { contact } from "../serializers/contact";
import { conversation, type ConversationView } from "../serializers/conversation";
import { message } from "../serializers/message";
import type { EventRow, Loaded } from "./load";
import { frameName, type Frame, type Subscriber } from "./protocol";

type Audience = Subscriber["kind"];

/** What an end user's app hears about its own conversations. */
const CONTACT_EVENTS = new Set<WebhookEvent>([
  "message_created",
  "message_updated",
  "conversation_status_changed",
  "conversation_typing_on",
  "conversation_typing_off",
]);
const AGENT_EVENTS = new Set<WebhookEvent>([
  ...CONTACT_EVENTS,
  "conversation_created",
  "conversation_updated",
  "contact_created",
  "contact_updated",
]);

const isTyping = (e: EventRow) => e.event === "conversation_typing_on" || e.event === "conversation_typing_off";
/** Who is typing, as recorded with the event: an agent (`type: "user"`) or the contact. */
const typist = (e: EventRow) => (e.data.user ?? null) as { id?: unknown; name?: unknown; type?: unknown } | null;

/**
 * Whether this subscriber hears the event. A contact: only its own contact_inbox's
 * conversations, never private notes or activity messages, and only agents' public typing (not
 * its own echo). An agent: events of inboxes they are a member of (administrators: all), contact
 * events, private notes and activity included, but not their own typing echo; nothing once they
 * have left the account.
 */
export function visibleTo(sub: Subscriber, e: EventRow, l: Loaded): boolean {
  if (e.accountId !== sub.accountId) return false;
  if (sub.kind === "contact") {
    if (!CONTACT_EVENTS.has(e.event)) return false;
    const view = l.views.get(e.conversationId ?? 0);
    if (!view || view.contactInbox.id !== sub.contactInboxId) return false;
    if (isTyping(e)) return typist(e)?.type === "user" && !e.data.is_private;
    if (e.messageId === null) return true;
    const m = l.messages.get(e.messageId)?.message;
    return Boolean(m && !m.private && m.messageType !== "activity");
  }
  const role = l.roles.get(sub.userId);
  if (!role || !AGENT_EVENTS.has(e.event)) return false;
  const t = isTyping(e) ? typist(e) : null;
  if (t?.type === "user" && t.id === sub.userId) return false;
  if (e.inboxId === null) return true;
  return role === "administrator" || Boolean(l.memberOf.get(sub.userId)?.has(e.inboxId));
}

/** The Application API's conversation JSON; a contact never sees a private note as the last message. */
function conversationFor(v: ConversationView, audience: Audience) {
  const json = conversation(v);
  return audience === "contact" && v.lastMessage?.private
    ? { ...json, messages: [], last_non_activity_message: null }
    : json;
}

function dataOf(e: EventRow, l: Loaded, audience: Audience): unknown {
  const view = l.views.get(e.conversationId ?? 0);
  switch (e.event) {
    case "message_created":
    case "message_updated": {
      const m = l.messages.get(e.messageId ?? 0);
      if (!m || !view) return null;
      const origin = typeof e.data.origin === "string" ? e.data.origin : "";
      const senders = { user: m.user, userAvailability: m.availability, contact: view.contact };
      return message(m.message, view.conversation.displayId, senders, { attachments: m.attachments, origin });
    }
    case "conversation_created":
    case "conversation_updated":
    case "conversation_status_changed":
      return view ? conversationFor(view, audience) : null;
    case "conversation_typing_on":
    case "conversation_typing_off": {
      if (!view) return null;
      const user = typist(e);
      // The recorded agent carries an e-mail address, which end users never see.
      const shown = audience === "contact" && user ? { id: user.id, name: user.name, type: user.type } : user;
      return { conversation: { id: view.conversation.displayId }, user: shown, is_private: Boolean(e.data.is_private) };
    }
    case "contact_created":
    case "contact_updated": {
      const c = l.contacts.get(e.contactId ?? 0);
      return c ? contact(c) : null;
    }
    default:
      return null;
  }
}

/**
 * The frame for an event, rendered from the database as it is now (as webhook bodies are):
 * message data is the Application API's message JSON (integer `message_type`, unix
 * `created_at`, the conversation's display id, `echo_id` when the sender gave one). Null when
 * the subject is gone.
 */
export function renderFrame(e: EventRow, l: Loaded, audience: Audience): Frame | null {
  const data = dataOf(e, l, audience);
  return data === null ? null : { event: frameName(e.event), data, id: e.id };
}
