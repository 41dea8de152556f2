import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  accountUsers,
  contacts,
  conversations,
  csatSurveyResponses,
  messages,
  users,
  type MessageRow,
} from "../db/schema";
import { inList, orNull, prefixed } from "../db/select";
import { unprocessable } from "../lib/errors";
import type { Outbox } from "../events/outbox";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";
import type { CsatResponseRow } from "../serializers/csat";
import type { CsatFilters } from "../routes/csat-survey-responses/csat.schemas";

/** The survey's text (Chatwoot's default when the inbox has no `csat_config.message`). */
export const CSAT_MESSAGE = "Please rate this conversation";
export const CSAT_PAGE_SIZE = 25;
export const MAX_FEEDBACK = 10_000;

/**
 * The statements that post the inbox's CSAT survey, for the batch that resolves the conversation
 * (after its status update): an `input_csat` template message from the inbox (no sender), only if
 * the inbox has `csat_survey_enabled` and the conversation never had a survey (Chatwoot sends one
 * per conversation), the conversation's latest message and activity, and `message_created`, which
 * is delivered as any reply is. Decided in SQL, so the resolve's round trips do not grow.
 * `content_attributes.assigned_agent_id` keeps the assignee as it was when the survey went out: the
 * agent the answer credits even if the conversation is reassigned before the contact answers.
 */
export function surveyStatements(
  db: DB,
  outbox: Outbox,
  t: { accountId: number; inboxId: number; conversationId: number },
  at: number,
): BatchItem<"sqlite">[] {
  const id = t.conversationId;
  const survey = sql`(select max(id) from messages where conversation_id = ${id} and content_type = 'input_csat')`;
  // Posted by this batch: the conversation's newest message is a survey written now. (A concurrent
  // resolve that found the survey there already wrote its own activity message after it.)
  const posted = sql`exists (select 1 from messages where id = (select max(id) from messages
    where conversation_id = ${id}) and content_type = 'input_csat' and created_at = ${at})`;
  return [
    // Every messages column in table order (drizzle's insert-select lists them all).
    db.insert(messages).select(sql`select null, c.account_id, c.inbox_id, c.id, ${CSAT_MESSAGE}, 'template',
        'input_csat', json_object('display_type', 'emoji', 'assigned_agent_id', c.assignee_id), '{}', 0, 'sent',
        null, null, null, null, ${at}, ${at}
      from conversations c join inboxes i on i.id = c.inbox_id
      where c.id = ${id} and c.status = 'resolved' and i.csat_survey_enabled = 1
        and not exists (select 1 from messages m where m.conversation_id = c.id and m.content_type = 'input_csat')`),
    db
      .update(conversations)
      .set({ lastActivityAt: at, lastMessageId: survey as unknown as number })
      .where(sql`${conversations.id} = ${id} and ${posted}`),
    ...outbox.record({
      event: "message_created",
      accountId: t.accountId,
      inboxId: t.inboxId,
      conversationId: id,
      messageId: survey,
      when: posted,
    }),
  ];
}

export type CsatAnswer = { rating: number; feedback_message: string | null };

const ratingProblem = "must be an integer from 1 to 5";

/**
 * The contact's answer to a survey, from `submitted_values.csat_survey_response` (Chatwoot's
 * widget) or the body's own `csat_survey_response`: a rating of 1 to 5 (numeric strings too, as
 * Rails casts them) and an optional feedback text; anything else answers 422 naming the field.
 */
export function readCsatAnswer(raw: unknown): CsatAnswer {
  const field = "submitted_values.csat_survey_response";
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw unprocessable("A CSAT answer needs csat_survey_response with a rating", [
      { field, message: "is required for a CSAT survey" },
    ]);
  const { rating: r, feedback_message: f } = raw as Record<string, unknown>;
  const rating = typeof r === "string" && /^\s*\d\s*$/.test(r) ? Number(r) : r;
  if (typeof rating !== "number" || !Number.isInteger(rating) || rating < 1 || rating > 5)
    throw unprocessable(`Rating ${ratingProblem}`, [{ field: `${field}.rating`, message: ratingProblem }]);
  if (f !== undefined && f !== null && typeof f !== "string")
    throw unprocessable("Feedback message must be a string", [
      { field: `${field}.feedback_message`, message: "must be a string" },
    ]);
  if (typeof f === "string" && f.length > MAX_FEEDBACK)
    throw unprocessable(`Feedback message is too long (maximum is ${MAX_FEEDBACK} characters)`, [
      { field: `${field}.feedback_message`, message: `is too long (maximum is ${MAX_FEEDBACK} characters)` },
    ]);
  const feedback = typeof f === "string" && f.trim() !== "" ? f : null;
  return { rating, feedback_message: feedback };
}

/**
 * The answer's row, for the batch that stores it on the message: one row per survey message, a
 * second answer replaces the rating and feedback of the first. The agent credited is the one the
 * survey recorded when it went out, else the conversation's assignee now (a user since deleted is
 * nobody).
 */
export function answerStatement(db: DB, m: MessageRow, answer: CsatAnswer, at = Date.now()) {
  // Every csat_survey_responses column in table order.
  return db
    .insert(csatSurveyResponses)
    .select(sql`select null, m.account_id, m.inbox_id, m.conversation_id, m.id, c.contact_id,
        (select u.id from users u
          where u.id = coalesce(json_extract(m.content_attributes, '$.assigned_agent_id'), c.assignee_id)),
        ${answer.rating}, ${answer.feedback_message}, ${at}, ${at}
      from messages m join conversations c on c.id = m.conversation_id
      where m.id = ${m.id} and m.content_type = 'input_csat'`)
    .onConflictDoUpdate({
      target: csatSurveyResponses.messageId,
      set: {
        rating: sql`excluded.rating`,
        feedbackMessage: sql`excluded.feedback_message`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

function responseWhere(accountId: number, f: CsatFilters): SQL {
  const r = csatSurveyResponses;
  return and(
    eq(r.accountId, accountId),
    f.since !== undefined ? gte(r.createdAt, f.since * 1000) : undefined,
    f.until !== undefined ? lt(r.createdAt, (f.until + 1) * 1000) : undefined,
    f.inboxId !== undefined ? eq(r.inboxId, f.inboxId) : undefined,
    f.userIds?.length ? inList(r.assignedAgentId, f.userIds) : undefined,
  )!;
}

/** A page of the account's answers, newest first, with each one's contact, conversation and agent. */
export function responsesQuery(db: DB, accountId: number, f: CsatFilters, page = 1) {
  const r = csatSurveyResponses;
  return db
    .select({
      response: prefixed(r, "r"),
      contact: prefixed(contacts, "ct"),
      displayId: conversations.displayId,
      user: prefixed(users, "u"),
      membership: prefixed(accountUsers, "m"),
    })
    .from(r)
    .innerJoin(contacts, eq(contacts.id, r.contactId))
    .innerJoin(conversations, eq(conversations.id, r.conversationId))
    .leftJoin(users, eq(users.id, r.assignedAgentId))
    .leftJoin(accountUsers, and(eq(accountUsers.accountId, r.accountId), eq(accountUsers.userId, r.assignedAgentId)))
    .where(responseWhere(accountId, f))
    .orderBy(desc(r.createdAt), desc(r.id))
    .limit(CSAT_PAGE_SIZE)
    .offset((page - 1) * CSAT_PAGE_SIZE);
}

export async function listResponses(ctx: ServiceContext, f: CsatFilters, page = 1): Promise<CsatResponseRow[]> {
  const rows = await responsesQuery(ctx.db, ctx.accountId, f, page);
  return rows.map((row) => {
    const user = orNull(row.user);
    const membership = orNull(row.membership);
    // An agent no longer in the account is shown as nobody (their id still filters the report).
    return {
      response: row.response,
      contact: row.contact,
      displayId: row.displayId,
      agent: user && membership ? { user, membership } : null,
    };
  });
}

/** How many answers there are per rating. */
export function ratingsQuery(db: DB, accountId: number, f: CsatFilters) {
  const r = csatSurveyResponses;
  return db
    .select({ rating: r.rating, count: sql<number>`count(*)`.mapWith(Number) })
    .from(r)
    .where(responseWhere(accountId, f))
    .groupBy(r.rating);
}

/**
 * How many surveys were sent (input_csat messages) under the same filters as the answers (the agent
 * credited is the one the survey recorded when sent). Read through the partial index
 * messages_account_csat_idx, which holds only survey messages.
 */
export function sentQuery(db: DB, accountId: number, f: CsatFilters) {
  const m = messages;
  return db
    .select({ sent: sql<number>`count(*)`.mapWith(Number) })
    .from(m)
    .where(
      and(
        eq(m.accountId, accountId),
        // A literal, so the partial index applies (a bound value would not match its WHERE).
        sql`${m.contentType} = 'input_csat'`,
        f.inboxId !== undefined ? eq(m.inboxId, f.inboxId) : undefined,
        f.since !== undefined ? gte(m.createdAt, f.since * 1000) : undefined,
        f.until !== undefined ? lt(m.createdAt, (f.until + 1) * 1000) : undefined,
        f.userIds?.length
          ? inList(sql`json_extract(${m.contentAttributes}, '$.assigned_agent_id')`, f.userIds)
          : undefined,
      ),
    );
}

export type CsatMetrics = {
  total_count: number;
  ratings_count: Record<"1" | "2" | "3" | "4" | "5", number>;
  total_sent_messages_count: number;
  satisfaction_score: number;
  response_rate: number;
  average_rating: number | null;
};

/** A share in percent, two decimals; 0 of nothing is 0. */
const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100);

/**
 * Chatwoot's CSAT metrics (`total_count`, `ratings_count`, `total_sent_messages_count`) and the
 * scores its reports compute from them: the share of 4 and 5 ratings, answers per survey sent, and
 * the average rating (null without answers). One round trip.
 */
export async function csatMetrics(ctx: ServiceContext, f: CsatFilters): Promise<CsatMetrics> {
  const { db, accountId } = ctx;
  const [ratings, [sent]] = await db.batch([ratingsQuery(db, accountId, f), sentQuery(db, accountId, f)]);
  const counts = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  for (const r of ratings) counts[String(r.rating) as keyof typeof counts] = r.count;
  const total = ratings.reduce((n, r) => n + r.count, 0);
  const sum = ratings.reduce((n, r) => n + r.rating * r.count, 0);
  const sentCount = sent?.sent ?? 0;
  return {
    total_count: total,
    ratings_count: counts,
    total_sent_messages_count: sentCount,
    satisfaction_score: percent(counts["4"] + counts["5"], total),
    response_rate: percent(total, sentCount),
    average_rating: total === 0 ? null : Math.round((sum / total) * 100) / 100,
  };
}
