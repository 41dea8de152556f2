import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  contactInboxes,
  contactLabels,
  contactNotes,
  contacts,
  conversations,
  csatSurveyResponses,
  events,
  messages,
  type ContactRow,
} from "../db/schema";
import type { DB } from "../db/client";
import { attributesProblem } from "../lib/attributes";
import { conflict, notFound, unprocessable } from "../lib/errors";
import type { z } from "@hono/zod-openapi";
import type { ContactMergeBody } from "../routes/contact-merge/contact-merge.schemas";
import { contactInboxesOf, contactSnapshot, type ContactWithInboxes, uniquenessError } from "./contacts";
import type { AgentContext } from "./context";

export type ContactMergeInput = z.output<typeof ContactMergeBody>;

/** The two contacts of the account a merge names, read first (batchable: the route reads them with the token check). */
export const contactMergeReads = (db: DB, accountId: number, input: ContactMergeInput) =>
  [
    db
      .select()
      .from(contacts)
      .where(
        and(eq(contacts.accountId, accountId), inArray(contacts.id, [input.base_contact_id, input.mergee_contact_id])),
      ),
  ] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `over` merged into `under`, nested objects key by key (Ruby's deep_merge): `over` wins. */
function deepMerge(under: Json, over: Json): Json {
  const out: Json = { ...under };
  for (const [k, v] of Object.entries(over))
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  return out;
}

const blank = (v: string | null) => v === null || v.trim() === "";
const either = (base: string | null, mergee: string | null) => (blank(base) ? mergee : base);

function mergedAttributes(field: string, mergee: Json, base: Json): Json {
  const merged = deepMerge(mergee, base);
  const problem = attributesProblem(merged);
  if (problem)
    throw unprocessable(`Validation failed: ${field}: ${problem} once the two contacts' are merged`, [
      { field, message: `${problem} once merged` },
    ]);
  return merged;
}

/**
 * What the base becomes, as Chatwoot's ContactMergeAction decides it: its own name, e-mail, phone,
 * identifier and avatar, the mergee's where the base has none; the attribute objects deep-merged
 * with the base's values winning (422 if the result outgrows ATTRIBUTE_LIMITS).
 */
function mergedFields(base: ContactRow, mergee: ContactRow) {
  return {
    name: either(base.name, mergee.name) ?? "",
    email: either(base.email, mergee.email),
    phoneNumber: either(base.phoneNumber, mergee.phoneNumber),
    identifier: either(base.identifier, mergee.identifier),
    avatarUrl: either(base.avatarUrl, mergee.avatarUrl),
    customAttributes: mergedAttributes("custom_attributes", mergee.customAttributes, base.customAttributes),
    additionalAttributes: mergedAttributes(
      "additional_attributes",
      mergee.additionalAttributes,
      base.additionalAttributes,
    ),
  };
}

const WIRE: Record<keyof ReturnType<typeof mergedFields>, string> = {
  name: "name",
  email: "email",
  phoneNumber: "phone_number",
  identifier: "identifier",
  avatarUrl: "avatar_url",
  customAttributes: "custom_attributes",
  additionalAttributes: "additional_attributes",
};

/** `contact_updated`'s `changed_attributes`, in Chatwoot's form. */
function changes(base: ContactRow, next: ReturnType<typeof mergedFields>) {
  return (Object.keys(WIRE) as (keyof typeof WIRE)[])
    .filter((k) => JSON.stringify(base[k]) !== JSON.stringify(next[k]))
    .map((k) => ({ [WIRE[k]]: { previous_value: base[k], current_value: next[k] } }));
}

/**
 * Merges `mergee_contact_id` into `base_contact_id` (Chatwoot's `POST …/actions/contact_merge`):
 * the mergee's conversations, contact_inboxes (sessions, with their source ids and pubsub tokens),
 * notes, labels (a union), CSAT answers and the sender of its messages become the base's; the base
 * takes the mergee's attributes it lacks (`mergedFields`); the mergee is deleted. Events:
 * `contact_deleted` for the mergee (`merged_into_contact_id` names the base) and one
 * `contact_updated` for the base. One batch after the reads, so it all commits or nothing does:
 * its first statement records `contact_deleted` only if both contacts are still as they were
 * read, and every later statement runs only if that event row exists. The mergee's e-mail, phone
 * and identifier are unique per account, so it is deleted before the base takes them. A contact
 * changed in between (a message bumps it too) makes the batch write nothing: it is read and made
 * once more, then 409.
 */
export async function mergeContacts(
  scope: AgentContext,
  input: ContactMergeInput,
  read?: unknown[],
  retried = false,
): Promise<ContactWithInboxes> {
  const { db, accountId, outbox } = scope;
  const { base_contact_id: baseId, mergee_contact_id: mergeeId } = input;
  if (baseId === mergeeId)
    throw unprocessable("A contact cannot be merged into itself", [
      { field: "mergee_contact_id", message: "must be another contact than base_contact_id" },
    ]);
  const [found] = (read ?? (await db.batch(contactMergeReads(db, accountId, input)))) as [ContactRow[]];
  const base = found.find((c) => c.id === baseId);
  const mergee = found.find((c) => c.id === mergeeId);
  if (!base || !mergee) throw notFound("Contact");
  const next = mergedFields(base, mergee);

  const asRead = (c: ContactRow) => sql`exists (select 1 from ${contacts} where ${contacts.accountId} = ${accountId}
    and ${contacts.id} = ${c.id} and ${contacts.updatedAt} = ${c.updatedAt})`;
  const deleted = outbox.recordEvent({
    event: "contact_deleted",
    accountId,
    inboxId: null,
    contactId: mergeeId,
    when: sql`${asRead(base)} and ${asRead(mergee)}`,
    data: { merged_into_contact_id: baseId },
    dataSql: sql`json_object('contact', ${contactSnapshot(eq(contacts.id, mergeeId))})`,
  });
  const merging = sql`exists (select 1 from ${events} where ${events.uid} = ${deleted.uid})`;
  const updated = outbox.record({
    event: "contact_updated",
    accountId,
    inboxId: null,
    contactId: baseId,
    when: merging,
    data: { changed_attributes: changes(base, next) },
  });
  const mergeeConversations = db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.accountId, accountId), eq(conversations.contactId, mergeeId)));
  const now = Date.now();
  const moves: BatchItem<"sqlite">[] = [
    // A contact's messages are in its own conversations: moved while they are still the mergee's.
    db
      .update(messages)
      .set({ senderId: baseId })
      .where(
        and(
          inArray(messages.conversationId, mergeeConversations),
          eq(messages.senderType, "Contact"),
          eq(messages.senderId, mergeeId),
          merging,
        ),
      ),
    db
      .update(conversations)
      .set({ contactId: baseId })
      .where(and(eq(conversations.accountId, accountId), eq(conversations.contactId, mergeeId), merging)),
    db
      .update(contactInboxes)
      .set({ contactId: baseId })
      .where(and(eq(contactInboxes.contactId, mergeeId), merging)),
    db
      .update(contactNotes)
      .set({ contactId: baseId })
      .where(and(eq(contactNotes.accountId, accountId), eq(contactNotes.contactId, mergeeId), merging)),
    // The base's labels and the mergee's, once each (the mergee's rows go with it).
    db
      .insert(contactLabels)
      .select(
        sql`select ${baseId}, ${contactLabels.accountId}, ${contactLabels.label} from ${contactLabels}
          where ${contactLabels.contactId} = ${mergeeId} and ${merging}`,
      )
      .onConflictDoNothing(),
    db
      .update(csatSurveyResponses)
      .set({ contactId: baseId })
      .where(and(eq(csatSurveyResponses.accountId, accountId), eq(csatSurveyResponses.contactId, mergeeId), merging)),
    db.delete(contacts).where(and(eq(contacts.accountId, accountId), eq(contacts.id, mergeeId), merging)),
  ];
  const lastActivityAt =
    mergee.lastActivityAt === null
      ? {}
      : { lastActivityAt: sql`max(coalesce(${contacts.lastActivityAt}, 0), ${mergee.lastActivityAt})` };
  const write = db
    .update(contacts)
    .set({ ...next, ...lastActivityAt, updatedAt: now } as Partial<ContactRow>)
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, baseId), merging))
    .returning();
  const statements = [...deleted.statements, ...updated, ...moves, write, contactInboxesOf(scope, sql`(${baseId})`)];
  let results: unknown[];
  try {
    results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (err) {
    uniquenessError(err);
  }
  const [written, cis] = results.slice(-2) as [ContactRow[], ContactWithInboxes["contactInboxes"]];
  if (written[0]) return { contact: written[0], contactInboxes: cis };
  if (!retried) return mergeContacts(scope, input, undefined, true);
  throw conflict("The contacts changed while they were being merged; try again");
}
