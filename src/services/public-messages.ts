import { and, eq, sql, type SQL } from "drizzle-orm";
import { messages } from "../db/schema";
import { mergeAttributes } from "../lib/attributes";
import { notFound, unprocessable } from "../lib/errors";
import type { ConversationView } from "../serializers/conversation";
import { createMessage } from "./messages";
import type { Batch } from "./public-client";
import type { MessageRow } from "../db/schema";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";
import { readMessages, withSenders } from "../views/messages";
import type { MessageWithSender } from "../views/messages";

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
  input: { content?: string | null; echo_id?: string; attachments?: File[] },
) {
  return createMessage(w, v, {
    content: input.content,
    echo_id: input.echo_id,
    attachments: input.attachments,
    message_type: "incoming",
  });
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
  csat_survey_response?: { rating?: number; feedback_message?: string };
};

/**
 * The contact answers an interactive message (a select, a form, a CSAT survey): the answer is
 * kept in `content_attributes.submitted_values` and announced with `message_updated`.
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
  if (m.contentType === "input_csat" && Date.now() - m.createdAt > CSAT_WINDOW_MS) {
    throw unprocessable("You cannot update the CSAT survey after 14 days");
  }
  const answer = {
    submitted_values: input.submitted_values,
    ...(input.csat_survey_response ? { csat_survey_response: input.csat_survey_response } : {}),
  };
  const contentAttributes = mergeAttributes("submitted_values", m.contentAttributes, answer);
  const [rows] = await w.db.batch([
    w.db.update(messages).set({ contentAttributes, updatedAt: Date.now() }).where(eq(messages.id, m.id)).returning(),
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
