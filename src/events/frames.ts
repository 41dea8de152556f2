import { contact } from "../serializers/contact";
import { type ConversationView, conversation } from "../serializers/conversation";
import { message } from "../serializers/message";
import { sendersOf } from "../views/messages";
import { deletedContact } from "./bodies";
import type { EventHead, Subjects } from "./load";
import type { AttachmentLinks } from "../lib/attachment-links";

/**
 * Who listens on a realtime socket: an agent of the account, or an end user's app (a contact);
 * `recipient` is the one agent a personal event (a notification) is recorded for.
 */
export type Audience = "agent" | "contact" | "recipient";

/** A realtime frame: `message.created`, `conversation.typing_on`, … with the data it shows and the event id. */
export type Frame = { event: string; data: unknown; id?: number };

/**
 * A frame renderer: the data an audience sees for the event, from the database as it is now (as
 * webhook bodies are), its attachment links signed with `links`; null when the subject is gone.
 */
export type FrameRenderer = (e: EventHead, s: Subjects, audience: Audience, links: AttachmentLinks) => unknown | null;

/** The agent a personal event is for (`EventSpec.recipient`, recorded as `data.recipient_id`). */
export const recipientOf = (e: EventHead): number | null =>
  typeof e.data.recipient_id === "number" ? e.data.recipient_id : null;

/** Who is typing, as recorded with the event: an agent (`type: "user"`) or the contact. */
export const typist = (e: EventHead) =>
  (e.data.user ?? null) as { id?: unknown; name?: unknown; type?: unknown } | null;

/**
 * The Application API's message JSON (integer `message_type`, unix `created_at`, the
 * conversation's display id, `echo_id` when the sender gave one).
 */
export const messageFrame: FrameRenderer = (_e, { view, message: m }, _audience, links) => {
  if (!m || !view) return null;
  return message(m.message, view.conversation.displayId, sendersOf(m, view.contact), {
    attachments: m.attachments,
    links,
  });
};

/** The Application API's conversation JSON; a contact never sees a private note as the last message. */
function conversationFor(v: ConversationView, audience: Audience) {
  const json = conversation(v);
  return audience === "contact" && v.lastMessage?.private
    ? { ...json, messages: [], last_non_activity_message: null }
    : json;
}

export const conversationFrame: FrameRenderer = (_e, { view }, audience) =>
  view ? conversationFor(view, audience) : null;

export const typingFrame: FrameRenderer = (e, { view }, audience) => {
  if (!view) return null;
  const user = typist(e);
  // The recorded agent carries an e-mail address, which end users never see.
  const shown = audience === "contact" && user ? { id: user.id, name: user.name, type: user.type } : user;
  return { conversation: { id: view.conversation.displayId }, user: shown, is_private: Boolean(e.data.is_private) };
};

export const contactFrame: FrameRenderer = (_e, { contact: c }) => (c ? contact(c) : null);

/** The contact as it was when deleted, so a console can drop it from what it shows. */
export const deletedContactFrame: FrameRenderer = (e) => {
  const c = deletedContact(e);
  return c ? contact(c) : null;
};
