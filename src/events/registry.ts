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
import { notificationFrame, notificationGoneFrame } from "./notification-frames";

/**
 * What an event is about. It decides which rule of realtime visibility applies to a contact
 * (its own conversations; public messages only; agents' typing only) and, for replay, which
 * conditions the SQL adds.
 */
export type Subject = "message" | "conversation" | "typing" | "contact" | "inbox" | "notification";

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
  /**
   * Whether the `outgoing_url` of the agent bot attached to the event's inbox receives it (never a
   * private note). Chatwoot's AgentBotListener sends bots messages and status changes.
   */
  botWebhook: boolean;
  /** Sent again to a realtime socket that reconnects with `since` (typing is stale by then). */
  replays: boolean;
  body: BodyRenderer;
  /**
   * `false`: a personal event (an agent's notification): no webhook may subscribe to it and no
   * delivery is recorded; its one listener is the agent it is recorded for (the `recipient`
   * audience, `EventSpec.recipient`).
   */
  webhook?: false;
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
    botWebhook: false,
    replays: true,
    body: conversationBody({ changed: false }),
    audiences: ["agent"],
    frame: conversationFrame,
  },
  conversation_status_changed: {
    subject: "conversation",
    inboxWebhook: true,
    botWebhook: true,
    replays: true,
    body: conversationBody({ changed: true }),
    audiences: ["agent", "contact"],
    frame: conversationFrame,
  },
  conversation_updated: {
    subject: "conversation",
    inboxWebhook: true,
    botWebhook: false,
    replays: true,
    body: conversationBody({ changed: true }),
    audiences: ["agent"],
    frame: conversationFrame,
  },
  message_created: {
    subject: "message",
    inboxWebhook: true,
    botWebhook: true,
    replays: true,
    body: messageBody,
    audiences: ["agent", "contact"],
    frame: messageFrame,
  },
  message_updated: {
    subject: "message",
    inboxWebhook: true,
    botWebhook: true,
    replays: true,
    body: messageBody,
    audiences: ["agent", "contact"],
    frame: messageFrame,
  },
  contact_created: {
    subject: "contact",
    inboxWebhook: false,
    botWebhook: false,
    replays: true,
    body: contactBody({ changed: false }),
    audiences: ["agent"],
    frame: contactFrame,
  },
  contact_updated: {
    subject: "contact",
    inboxWebhook: false,
    botWebhook: false,
    replays: true,
    body: contactBody({ changed: true }),
    audiences: ["agent"],
    frame: contactFrame,
  },
  contact_deleted: {
    subject: "contact",
    inboxWebhook: false,
    botWebhook: false,
    replays: true,
    body: deletedContactBody,
    audiences: ["agent"],
    frame: deletedContactFrame,
  },
  conversation_typing_on: {
    subject: "typing",
    inboxWebhook: true,
    botWebhook: false,
    replays: false,
    body: typingBody,
    audiences: ["agent", "contact"],
    frame: typingFrame,
  },
  conversation_typing_off: {
    subject: "typing",
    inboxWebhook: true,
    botWebhook: false,
    replays: false,
    body: typingBody,
    audiences: ["agent", "contact"],
    frame: typingFrame,
  },
  inbox_created: {
    subject: "inbox",
    inboxWebhook: false,
    botWebhook: false,
    replays: false,
    body: inboxBody,
    audiences: [],
    frame: null,
  },
  inbox_updated: {
    subject: "inbox",
    inboxWebhook: false,
    botWebhook: false,
    replays: false,
    body: inboxBody,
    audiences: [],
    frame: null,
  },
  notification_created: personal(notificationFrame),
  notification_updated: personal(notificationFrame),
  notification_deleted: personal(notificationGoneFrame),
} as const satisfies Record<string, EventDefinition>;

/** An agent's own notification event: heard (and replayed) by that agent alone, never a webhook. */
function personal(frame: FrameRenderer) {
  return {
    subject: "notification",
    inboxWebhook: false,
    botWebhook: false,
    webhook: false,
    replays: true,
    body: () => null,
    audiences: ["recipient"],
    frame,
  } as const;
}

export type EventName = keyof typeof EVENTS;

/** Every event, personal ones included, in declaration order. */
const ALL_EVENTS = Object.keys(EVENTS) as EventName[];

/** Whether an event may have webhook deliveries (a personal event never does). */
export const hasWebhooks = (name: EventName) => (EVENTS[name] as EventDefinition).webhook !== false;

/** Every event name a webhook may subscribe to, in declaration order (personal events are not). */
export const EVENT_NAMES = ALL_EVENTS.filter(hasWebhooks) as [EventName, ...EventName[]];

/** Events an API inbox's `webhook_url` receives. */
export const INBOX_EVENTS: readonly EventName[] = EVENT_NAMES.filter((name) => EVENTS[name].inboxWebhook);

/** Events the agent bot attached to an inbox receives at its `outgoing_url`. */
export const BOT_EVENTS: readonly EventName[] = EVENT_NAMES.filter((name) => EVENTS[name].botWebhook);

/** The definition of a name read back from the database; undefined for a name this code does not know. */
export const definitionOf = (name: string): EventDefinition | undefined =>
  Object.hasOwn(EVENTS, name) ? EVENTS[name as EventName] : undefined;

/** The events an audience hears live, and the ones replayed to it. */
export const heardBy = (audience: Audience, opts: { replayed?: boolean } = {}): EventName[] =>
  ALL_EVENTS.filter((name) => {
    const d: EventDefinition = EVENTS[name];
    return (d.audiences as readonly Audience[]).includes(audience) && (!opts.replayed || d.replays);
  });
