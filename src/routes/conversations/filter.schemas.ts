import { z } from "@hono/zod-openapi";
import { zPage } from "../../lib/zod";
import { Conversation } from "../../serializers/conversation";

export const MAX_CONDITIONS = 20;
export const MAX_VALUES = 50;

export const FILTER_OPERATORS = [
  "equal_to",
  "not_equal_to",
  "contains",
  "does_not_contain",
  "is_present",
  "is_not_present",
  "is_greater_than",
  "is_less_than",
  "days_before",
] as const;

/** The conversation attributes a filter may name (services/conversations/filter.ts compiles each). */
export const FILTER_ATTRIBUTES = [
  "status",
  "assignee_id",
  "inbox_id",
  "team_id",
  "priority",
  "display_id",
  "labels",
  "created_at",
  "last_activity_at",
  "browser_language",
  "conversation_language",
  "country_code",
  "referer",
  "mail_subject",
  "contact_name",
  "contact_email",
] as const;
export type FilterAttribute = (typeof FILTER_ATTRIBUTES)[number];

/** One value of a condition: a text, a number, a boolean, or an object with an `id` (as dashboards send agents). */
const FilterValue = z.union([
  z.string().max(255),
  z.number(),
  z.boolean(),
  z.object({ id: z.union([z.number(), z.string().max(255)]) }).passthrough(),
]);

export const FilterCondition = z
  .object({
    attribute_key: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .describe(`A conversation attribute (${FILTER_ATTRIBUTES.join(", ")}) or a custom attribute's key`),
    filter_operator: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .describe(`One of ${FILTER_OPERATORS.join(", ")}`),
    values: z
      .union([z.array(FilterValue).max(MAX_VALUES), FilterValue])
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
    query_operator: z
      .string()
      .trim()
      .max(3)
      .nullable()
      .optional()
      .describe("`AND` or `OR`: how this condition joins the next one (AND binds tighter than OR)"),
    custom_attribute_type: z
      .union([z.enum(["conversation_attribute", "contact_attribute"]), z.literal("")])
      .nullable()
      .optional()
      .describe("For a custom attribute: the conversation's or its contact's"),
  })
  .openapi("ConversationFilterCondition");

export const ConversationFilterBody = z
  .object({ payload: z.array(FilterCondition).min(1).max(MAX_CONDITIONS) })
  .openapi("ConversationFilter");

export const ConversationFilterQuery = z.object({ page: zPage });

export const ConversationFilterResult = z
  .object({
    meta: z.object({
      mine_count: z.number().int(),
      unassigned_count: z.number().int(),
      assigned_count: z.number().int(),
      all_count: z.number().int(),
    }),
    payload: z.array(Conversation),
  })
  .openapi("ConversationFilterResult");
