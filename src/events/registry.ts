import {
  type BodyRenderer,
  contactBody,
  conversationBody,
  deletedContactBody,
  inboxBody,
  messageBody,
  typingBody,
} from "./bodies";
import {
  type Audience,
  contactFrame,
  conversationFrame,
  deletedContactFrame,
  type FrameRenderer,
  messageFrame,
  typingFrame,
} from "./frames";

/**
 * What an event is about. It decides which rule of realtime visibility applies to a contact
 * (its own conversations; public messages only; agents' typing only) and, for replay, which
 * conditions the SQL adds.
 */
export type Subject = "message" | "conversation" | "typing" | "contact" | "inbox";

/** Who hears an event on a realtime socket, with how to render its frame; none when nobody does. */
type Realtime =
  | { audiences: readonly []; frame: null }
  | { audiences: readonly [Audience, ...Audience[]]; frame: FrameRenderer };

/** Everything there is to know about one event; the rest of the code derives from these. */
export type EventDefinition = {
  subject: Subject;
  /**
   * Whether an API inbox's `webhook_url` receives it (when subscribed), besides the account's
   * webhooks. Chatwoot never sends it contact or inbox events.
   */
  inboxWebhook: boolean;
  /** Sent again to a realtime socket that reconnects with `since` (typing is stale by then). */
  replays: boolean;
  body: BodyRenderer;
} & Realtime;

/**
 * Every event, declared once: webhook targets, realtime audiences, replay and renderers. The
 * webhook subscription list, the inbox webhook's events, realtime visibility and the replay SQL
 * are derived from this table (`events/audience.ts`, `events/outbox.ts`). An event missing a
 * field does not compile. The order is the order `GET …/webhooks/events` lists them in.
 */
export const EVENTS = {
  conversation_created: {
    subject: "conversation",
    inboxWebhook: true,
    replays: true,
    body: conversationBody({ changed: false }),
    audiences: ["agent"],
    frame: conversationFrame,
  },
  conversation_status_changed: {
    subject: "conversation",
    inboxWebhook: true,
    replays: true,
    body: conversationBody({ changed: true }),
    audiences: ["agent", "contact"],
    frame: conversationFrame,
  },
  conversation_updated: {
    subject: "conversation",
    inboxWebhook: true,
    replays: true,
    body: conversationBody({ changed: true }),
    audiences: ["agent"],
    frame: conversationFrame,
  },
  message_created: {
    subject: "message",
    inboxWebhook: true,
    replays: true,
    body: messageBody,
    audiences: ["agent", "contact"],
    frame: messageFrame,
  },
  message_updated: {
    subject: "message",
    inboxWebhook: true,
    replays: true,
    body: messageBody,
    audiences: ["agent", "contact"],
    frame: messageFrame,
  },
  contact_created: {
    subject: "contact",
    inboxWebhook: false,
    replays: true,
    body: contactBody({ changed: false }),
    audiences: ["agent"],
    frame: contactFrame,
  },
  contact_updated: {
    subject: "contact",
    inboxWebhook: false,
    replays: true,
    body: contactBody({ changed: true }),
    audiences: ["agent"],
    frame: contactFrame,
  },
  contact_deleted: {
    subject: "contact",
    inboxWebhook: false,
    replays: true,
    body: deletedContactBody,
    audiences: ["agent"],
    frame: deletedContactFrame,
  },
  conversation_typing_on: {
    subject: "typing",
    inboxWebhook: true,
    replays: false,
    body: typingBody,
    audiences: ["agent", "contact"],
    frame: typingFrame,
  },
  conversation_typing_off: {
    subject: "typing",
    inboxWebhook: true,
    replays: false,
    body: typingBody,
    audiences: ["agent", "contact"],
    frame: typingFrame,
  },
  inbox_created: { subject: "inbox", inboxWebhook: false, replays: false, body: inboxBody, audiences: [], frame: null },
  inbox_updated: { subject: "inbox", inboxWebhook: false, replays: false, body: inboxBody, audiences: [], frame: null },
} as const satisfies Record<string, EventDefinition>;

export type EventName = keyof typeof EVENTS;

/** Every event name, in declaration order: what a webhook may subscribe to. */
export const EVENT_NAMES = Object.keys(EVENTS) as [EventName, ...EventName[]];

/** Events an API inbox's `webhook_url` receives. */
export const INBOX_EVENTS: readonly EventName[] = EVENT_NAMES.filter((name) => EVENTS[name].inboxWebhook);

/** The definition of a name read back from the database; undefined for a name this code does not know. */
export const definitionOf = (name: string): EventDefinition | undefined =>
  Object.hasOwn(EVENTS, name) ? EVENTS[name as EventName] : undefined;

/** The events an audience hears live, and the ones replayed to it. */
export const heardBy = (audience: Audience, opts: { replayed?: boolean } = {}): EventName[] =>
  EVENT_NAMES.filter((name) => {
    const d: EventDefinition = EVENTS[name];
    return (d.audiences as readonly Audience[]).includes(audience) && (!opts.replayed || d.replays);
  });
