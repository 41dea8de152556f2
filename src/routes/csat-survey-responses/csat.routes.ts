import { createRoute } from "@hono/zod-openapi";
import { json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import * as s from "./csat.schemas";

const base = "/api/v1/accounts/{account_id}/csat_survey_responses";
const tags = ["CSAT"];
const admin = authenticate({ account: true, admin: true });
const filters =
  "Filters: `since` and `until` (unix seconds, both included) on when the answer was first given, `inbox_id`, " +
  "and `user_ids[]` (the agents credited: each survey credits the assignee of the conversation when it was sent).";

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The account's CSAT survey answers (a bare array, 25 a page; administrators)",
  description:
    "Chatwoot's CSAT report: one entry per answered survey, newest first, with its contact, conversation " +
    `(display id) and the agent credited (null if none, or no longer in the account). ${filters} ` +
    "Only administrators read reports, as in Chatwoot; an agent gets 403.",
  middleware: admin,
  request: { params: AccountParams, query: s.CsatListQuery },
  responses: { 200: json(s.CsatSurveyResponseList, "Answers"), ...errors },
});

export const metrics = createRoute({
  method: "get",
  path: `${base}/metrics`,
  tags,
  summary: "CSAT metrics: answers per rating, surveys sent, satisfaction score and response rate (administrators)",
  description:
    "Chatwoot's `total_count`, `ratings_count` and `total_sent_messages_count`, with the scores its reports show " +
    "computed here: `satisfaction_score` (share of 4 and 5 ratings, percent), `response_rate` (answers per survey " +
    `sent, percent) and \`average_rating\`. ${filters} Surveys sent are filtered alike (by the time they were sent).`,
  middleware: admin,
  request: { params: AccountParams, query: s.CsatFilterQuery },
  responses: { 200: json(s.CsatMetrics, "Metrics"), ...errors },
});
