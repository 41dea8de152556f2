import { and, eq, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import { events } from "../db/schema";
import { seesInbox, seesLoadedInbox } from "../views/visibility";
import { type Audience, recipientOf, typist } from "./frames";
import type { EventHead, Loaded } from "./load";
import { definitionOf, heardBy, type Subject } from "./registry";

/** Who listens on a realtime socket. */
export type Subscriber =
  | { kind: "contact"; accountId: number; contactId: number; contactInboxId: number; inboxId: number }
  | { kind: "agent"; accountId: number; userId: number };

/**
 * What a contact may see of an event about this subject, the event being of its own
 * conversation: messages only when public and not activity, typing only an agent's public typing
 * (not its own echo). Declared per subject so a new event of a known subject needs no rule.
 */
const contactRule: Record<Subject, (e: EventHead, l: Loaded) => boolean> = {
  conversation: () => true,
  message: (e, l) => {
    const m = l.messages.get(e.messageId ?? 0)?.message;
    return Boolean(m && !m.private && m.messageType !== "activity");
  },
  typing: (e) => typist(e)?.type === "user" && !e.data.is_private,
  contact: () => false,
  inbox: () => false,
  notification: () => false,
};

/**
 * Whether this subscriber hears the event, by the registry: its audiences, then for a contact
 * only its own contact_inbox's conversations (and the subject's rule), for an agent the events of
 * inboxes they see (`views/visibility.ts`), events without an inbox (contacts), never their own
 * typing echo, and nothing once they have left the account. A personal event (a notification) is
 * heard by the agent it was recorded for alone, while they are a member of the account.
 */
export function visibleTo(sub: Subscriber, e: EventHead, l: Loaded): boolean {
  const def = definitionOf(e.event);
  if (!def || e.accountId !== sub.accountId) return false;
  const audiences = def.audiences as readonly Audience[];
  if (audiences.includes("recipient"))
    return sub.kind === "agent" && recipientOf(e) === sub.userId && l.roles.has(sub.userId);
  if (!audiences.includes(sub.kind)) return false;
  if (sub.kind === "contact") {
    const view = l.views.get(e.conversationId ?? 0);
    return Boolean(view && view.contactInbox.id === sub.contactInboxId) && contactRule[def.subject](e, l);
  }
  const role = l.roles.get(sub.userId);
  if (!role) return false;
  const t = def.subject === "typing" ? typist(e) : null;
  if (t?.type === "user" && t.id === sub.userId) return false;
  if (e.inboxId === null) return true;
  return seesLoadedInbox(role === "administrator", l.memberOf.get(sub.userId), e.inboxId);
}

/**
 * What a replay may contain for this subscriber, narrowed in SQL so the limit counts only their
 * events: the registry's replayed events for the audience, then the same rules as `visibleTo`
 * (a contact's own conversations' public, non-activity messages; an agent's visible inboxes and
 * events without an inbox; their own personal events). `visibleTo` applies again per frame.
 */
export function replayScope(sub: Subscriber, since: number): SQL {
  const after = and(eq(events.accountId, sub.accountId), gt(events.id, since));
  if (sub.kind === "contact") {
    return and(
      after,
      inArray(events.event, heardBy("contact", { replayed: true })),
      sql`${events.conversationId} in (select id from conversations where contact_inbox_id = ${sub.contactInboxId})`,
      // Correlated on the event's message (by primary key): an IN over all messages would scan them.
      sql`(${events.messageId} is null or exists (select 1 from messages m where m.id = ${events.messageId}
        and m.private = 0 and m.message_type <> 'activity'))`,
    )!;
  }
  const admin = sql`exists (select 1 from account_users where account_id = ${sub.accountId}
    and user_id = ${sub.userId} and role = 'administrator')`;
  return and(
    after,
    or(
      and(
        inArray(events.event, heardBy("agent", { replayed: true })),
        sql`(${events.inboxId} is null or ${seesInbox({ userId: sub.userId, admin }, events.inboxId)})`,
      ),
      and(
        inArray(events.event, heardBy("recipient", { replayed: true })),
        sql`json_extract(${events.data}, '$.recipient_id') = ${sub.userId}`,
      ),
    ),
  )!;
}
