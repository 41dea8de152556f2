import { iso } from "../lib/time";
import type { Json } from "./bodies";
import type { Audience, Frame } from "./frames";
import { type EventHead, type Loaded, subjectsOf } from "./load";
import { definitionOf } from "./registry";

/** `message_created` → `message.created`, `conversation_typing_on` → `conversation.typing_on`. */
export const frameName = (event: string) => event.replace("_", ".");

/** The realtime frame of an event for an audience; null when the subject is gone or nobody hears it. */
export function renderFrame(e: EventHead, l: Loaded, audience: Audience): Frame | null {
  const frame = definitionOf(e.event)?.frame;
  const data = frame ? frame(e, subjectsOf(e, l), audience) : null;
  return data === null ? null : { event: frameName(e.event), data, id: e.id };
}

/**
 * The webhook body of an event (`event`, `sequence` and `occurred_at` first); null when its
 * subject (or its account) is gone, in which case there is nothing to send.
 */
export function renderBody(e: EventHead, l: Loaded): Json | null {
  const def = definitionOf(e.event);
  const s = subjectsOf(e, l);
  if (!def || !s.account) return null;
  const origin = typeof e.data.origin === "string" ? e.data.origin : "";
  const body = def.body(e, { ...s, account: s.account }, origin);
  return body && { event: e.event, sequence: e.sequence, occurred_at: iso(e.createdAt), ...body };
}
