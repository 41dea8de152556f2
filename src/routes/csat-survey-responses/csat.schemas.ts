import { z } from "@hono/zod-openapi";
import { zId, zInt, zList, zPage, zQuery } from "../../lib/zod";
import { CsatMetrics, CsatSurveyResponse } from "../../serializers/csat";

/** The report's filters: unix seconds (both ends inclusive), one inbox, the agents credited. */
export type CsatFilters = { since?: number; until?: number; inboxId?: number; userIds?: number[] };

const seconds = zQuery(zInt.pipe(z.number().int().min(0).max(253_402_300_799)));
const agents = zQuery(zList(zId).pipe(z.array(z.number()).max(100)));

const filterFields = {
  since: seconds.describe("Answers first given at or after this time (unix seconds)"),
  until: seconds.describe("Answers first given at or before this time (unix seconds, that second included)"),
  inbox_id: zQuery(zId).describe("Only this inbox's conversations"),
  user_ids: agents.describe("Only answers crediting these agents (`user_ids=1,2` or repeated)"),
  "user_ids[]": agents.describe("The same filter as Rails clients send it (`user_ids[]=1&user_ids[]=2`)"),
};

const ordered = (q: { since?: number; until?: number }, ctx: z.RefinementCtx) => {
  if (q.since !== undefined && q.until !== undefined && q.since > q.until)
    ctx.addIssue({ code: "custom", path: ["until"], message: "must not be before since" });
};

export const CsatFilterQuery = z.object(filterFields).superRefine(ordered);
export const CsatListQuery = z.object({ ...filterFields, page: zPage }).superRefine(ordered);

/** The query's filters, `user_ids` and `user_ids[]` together. */
export function filtersOf(q: z.output<typeof CsatFilterQuery>): CsatFilters {
  const userIds = [...new Set([...(q.user_ids ?? []), ...(q["user_ids[]"] ?? [])])];
  return { since: q.since, until: q.until, inboxId: q.inbox_id, userIds: userIds.length ? userIds : undefined };
}

export const CsatSurveyResponseList = z.array(CsatSurveyResponse).openapi("CsatSurveyResponseList");
export { CsatMetrics };
