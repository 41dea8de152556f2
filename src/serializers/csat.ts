import { z } from "@hono/zod-openapi";
import type { ContactRow, CsatSurveyResponseRow, MembershipRow, UserRow } from "../db/schema";
import { unix } from "../lib/time";
import { Contact, contact } from "./contact";
import { Agent, agent } from "./user";

/** An answer as the report reads it: with its contact, its conversation's display id and the agent credited. */
export type CsatResponseRow = {
  response: CsatSurveyResponseRow;
  contact: ContactRow;
  displayId: number;
  agent: { user: UserRow; membership: MembershipRow } | null;
};

export const CsatSurveyResponse = z
  .object({
    id: z.number().int(),
    rating: z.number().int().min(1).max(5),
    feedback_message: z.string().nullable(),
    account_id: z.number().int(),
    message_id: z.number().int().describe("The survey message (`content_type: input_csat`)"),
    contact: Contact,
    conversation_id: z.number().int().describe("The conversation's display id"),
    assigned_agent: Agent.nullable().describe("The agent credited: the assignee when the survey was sent"),
    inbox_id: z.number().int(),
    created_at: z.number().int().describe("Unix seconds of the first answer"),
    updated_at: z.number().int().describe("Unix seconds of the latest answer"),
  })
  .openapi("CsatSurveyResponse");

/** Chatwoot's `_csat_survey_response` partial, plus the inbox and when it was last answered. */
export function csatSurveyResponse(row: CsatResponseRow): z.infer<typeof CsatSurveyResponse> {
  const r = row.response;
  return {
    id: r.id,
    rating: r.rating,
    feedback_message: r.feedbackMessage,
    account_id: r.accountId,
    message_id: r.messageId,
    contact: contact(row.contact),
    conversation_id: row.displayId,
    assigned_agent: row.agent ? agent(row.agent.user, row.agent.membership) : null,
    inbox_id: r.inboxId,
    created_at: unix(r.createdAt)!,
    updated_at: unix(r.updatedAt)!,
  };
}

const Count = z.number().int();

export const CsatMetrics = z
  .object({
    total_count: Count.describe("Answers"),
    ratings_count: z
      .object({ "1": Count, "2": Count, "3": Count, "4": Count, "5": Count })
      .describe("Answers per rating (every rating listed, 0 when none)"),
    total_sent_messages_count: Count.describe("Surveys sent"),
    satisfaction_score: z.number().describe("Share of answers rating 4 or 5, in percent (0 without answers)"),
    response_rate: z.number().describe("Answers per survey sent, in percent (0 when none was sent)"),
    average_rating: z.number().nullable().describe("The mean rating, two decimals; null without answers"),
  })
  .openapi("CsatMetrics");
