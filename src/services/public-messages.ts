import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { accounts, contactInboxes, conversations, inboxes, messages } from "../db/schema";
import { mergeAttributes } from "../lib/attributes";
import { notFound, unprocessable } from "../lib/errors";
import type { ConversationView } from "../serializers/conversation";
import { continuityStatements, createMessage, refusedUnless } from "./messages";
import { messageStatements } from "./message-writes";
import { outOfOfficeRead } from "./auto-replies";
import { answerStatement, readCsatAnswer } from "./csat";
import { type Batch, sessionConversationId, sessionId } from "./public-client";
import type { Outbox } from "../events/outbox";
import type { MessageRow } from "../db/schema";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";
import { readMessages, withSenders } from "../views/messages";
import type { MessageWithSender } from "../views/messages";
import type { AttachmentRef } from "../routes/messages/messages.schemas";

/** Interactive messages an end user answers (Chatwoot's bot and CSAT messages). */
const ANSWERABLE = new Set([
  "input_select",
  "input_text",
  "input_textarea",
  "input_email",
  "form",
  "cards",
  "input_csat",
]);
/** Chatwoot refuses CSAT answers after this. */
const CSAT_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;

/** The contact writes: always an incoming message (the contact is the sender), deduplicated by `echo_id`. */
export function createContactMessage(
  w: ServiceContext<null>,
  v: ConversationView,
  input: { content?: string | null; echo_id?: string; attachments?: AttachmentRef[] },
  bucket: R2Bucket,
) {
  return createMessage(
    w,
    v,
    { content: input.content, echo_id: input.echo_id, attachments: input.attachments, message_type: "incoming" },
    bucket,
  );
}

/**
 * The contact's message written in the same batch as the reads that admit the caller (one round
 * trip for the request): its first statement fails, rolling the batch back, unless the path's
 * session has this conversation, its account is not suspended and, where the inbox requires
 * identity verification, the session is verified: what `publicClient` and the conversation
 * load then check. Every id comes from the path as a subquery, and what depends on the
 * conversation's state (reopening, routing) is decided in SQL (`continuityStatements`); the
 * request's observed outbox reads the events' account back from their rows. The message row
 * comes back from the statement after the guard (`insertedMessage`). Messages with files are
 * not written this way.
 */
export function contactMessageStatements(
  db: DB,
  outbox: Outbox,
  ids: { identifier: string; sourceId: string },
  displayId: number,
  input: { content?: string | null; echo_id?: string; attachments?: AttachmentRef[] },
): BatchItem<"sqlite">[] {
  if (input.attachments?.length) return [];
  const session = sessionId(ids.identifier, ids.sourceId);
  const conversation = sessionConversationId(ids, displayId);
  const of = (column: SQL) => sql`(select ${column} from ${conversations} where ${conversations.id} = ${conversation})`;
  const allowed = sql`${conversation} is not null and exists (select 1 from ${contactInboxes} ci
    join ${inboxes} i on i.id = ci.inbox_id join ${accounts} a on a.id = i.account_id
    where ci.id = ${session} and a.status <> 'suspended' and (i.hmac_mandatory = 0 or ci.hmac_verified = 1))`;
  const target = {
    accountId: of(sql`account_id`),
    inboxId: of(sql`inbox_id`),
    contactId: of(sql`contact_id`),
    conversationId: conversation,
  };
  const { insert, statements, event } = messageStatements(
    db,
    target,
    { content: input.content, echo_id: input.echo_id, message_type: "incoming", private: false },
    { type: "Contact", id: target.contactId },
  );
  return [
    refusedUnless(db, allowed),
    insert,
    ...statements,
    ...outbox.record(event),
    ...continuityStatements(db, outbox, { ...target, conversation }),
    outOfOfficeRead(db, conversation),
  ];
}

/** One message of the conversation the contact may see (no private note, no activity); batchable. */
export function contactVisibleMessage(db: DB, conversationId: SQL, messageId: number) {
  return withSenders(db).where(
    and(
      eq(messages.id, messageId),
      eq(messages.conversationId, conversationId),
      eq(messages.private, false),
      sql`${messages.messageType} <> 'activity'`,
    ),
  );
}

export function toContactMessage(rows: unknown): MessageWithSender {
  const m = readMessages(rows)[0];
  if (!m) throw notFound("Message");
  return m;
}

export type SubmittedValues = {
  submitted_values: unknown;
  /** Checked here (`readCsatAnswer`): the widget's copy inside `submitted_values` is not validated by the route. */
  csat_survey_response?: unknown;
};

/**
 * The contact answers an interactive message (a select, a form, a CSAT survey): the answer is
 * kept in `content_attributes.submitted_values` and announced with `message_updated`. Only a CSAT
 * survey (`input_csat`) takes `csat_survey_response`, and needs it: its rating is also stored as the
 * survey's `csat_survey_responses` row (a second answer updates it), in the same batch.
 */
export async function submitValues(
  w: ServiceContext<null>,
  m: MessageRow,
  input: SubmittedValues,
): Promise<MessageRow> {
  if (!ANSWERABLE.has(m.contentType) || m.messageType === "incoming") {
    throw unprocessable("This message does not take submitted values", [
      { field: "submitted_values", message: `not accepted for ${m.contentType} messages` },
    ]);
  }
  const csat = m.contentType === "input_csat";
  if (!csat && input.csat_survey_response !== undefined) {
    throw unprocessable("Only a CSAT survey message (input_csat) takes csat_survey_response", [
      { field: "csat_survey_response", message: `not accepted for ${m.contentType} messages` },
    ]);
  }
  if (csat && Date.now() - m.createdAt > CSAT_WINDOW_MS) {
    throw unprocessable("You cannot update the CSAT survey after 14 days");
  }
  const rating = csat ? readCsatAnswer(input.csat_survey_response) : null;
  const values = input.submitted_values;
  const answer = rating
    ? {
        submitted_values: {
          ...(values && typeof values === "object" && !Array.isArray(values) ? values : {}),
          csat_survey_response: rating,
        },
        csat_survey_response: rating,
      }
    : { submitted_values: values };
  const contentAttributes = mergeAttributes("submitted_values", m.contentAttributes, answer);
  const at = Date.now();
  const [rows] = await w.db.batch([
    w.db.update(messages).set({ contentAttributes, updatedAt: at }).where(eq(messages.id, m.id)).returning(),
    ...(rating ? [answerStatement(w.db, m, rating, at)] : []),
    ...w.outbox.record({
      event: "message_updated",
      accountId: m.accountId,
      inboxId: m.inboxId,
      conversationId: m.conversationId,
      messageId: m.id,
    }),
  ] as Batch);
  return (rows as MessageRow[])[0];
}
