import { iso } from "../lib/time";
import { API_LINK_SECONDS, attachmentLinks, WEBHOOK_LINK_SECONDS } from "../lib/attachment-links";
import type { Json } from "./bodies";
import type { Audience, Frame } from "./frames";
import { type EventHead, type Loaded, subjectsOf } from "./load";
import { definitionOf } from "./registry";

/** `message_created` → `message.created`, `conversation_typing_on` → `conversation.typing_on`. */
export const frameName = (event: string) => event.replace("_", ".");

/** The public base URL recorded with the event, for the links in what is rendered from it. */
const originOf = (e: EventHead) => (typeof e.data.origin === "string" ? e.data.origin : "");

/**
 * The realtime frame of an event for an audience; null when the subject is gone or nobody hears it.
 * Attachment links are signed with `secret` and last as long as an API response's.
 */
export function renderFrame(e: EventHead, l: Loaded, audience: Audience, secret: string | undefined): Frame | null {
  const frame = definitionOf(e.event)?.frame;
  const links = attachmentLinks(originOf(e), secret, API_LINK_SECONDS);
  const data = frame ? frame(e, subjectsOf(e, l), audience, links) : null;
  return data === null ? null : { event: frameName(e.event), data, id: e.id };
}

/**
 * The webhook body of an event (`event`, `sequence` and `occurred_at` first); null when its
 * subject (or its account) is gone, in which case there is nothing to send. Attachment links are
 * signed with `secret` for a webhook's longer lifetime: the body is stored and sent again as is.
 */
export function renderBody(e: EventHead, l: Loaded, secret: string | undefined): Json | null {
  const def = definitionOf(e.event);
  const s = subjectsOf(e, l);
  if (!def || !s.account) return null;
  const body = def.body(e, { ...s, account: s.account }, attachmentLinks(originOf(e), secret, WEBHOOK_LINK_SECONDS));
  return body && { event: e.event, sequence: e.sequence, occurred_at: iso(e.createdAt), ...body };
}
