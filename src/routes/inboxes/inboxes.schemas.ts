import { STRATEGIES, type WorkingHours } from "../../db/schema";
import { isTimeZone } from "../../lib/business-hours";
import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zBool, zClearable as clearable, zInt, zJsonObject, zNames } from "../../lib/zod";
import { Inbox } from "../../serializers/inbox";
import { INBOX_EVENTS } from "../../events/registry";
import { zWebhookUrl } from "../../lib/webhook-url";

export const InboxParams = accountChild("id", "Inbox id");

const text = (max: number) => z.string().trim().max(max);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2048);

const hour = zInt.pipe(z.number().int().min(0).max(23));
const minutes = zInt.pipe(z.number().int().min(0).max(59));

/** One weekday of the business hours, as Chatwoot's `working_hours` entries. */
const WorkingDay = z
  .object({
    day_of_week: zInt.pipe(z.number().int().min(0).max(6)).describe("0 is Sunday, 6 Saturday"),
    closed_all_day: zBool.optional().default(false),
    open_all_day: zBool.optional().default(false),
    open_hour: hour.nullable().optional(),
    open_minutes: minutes.nullable().optional(),
    close_hour: hour.nullable().optional(),
    close_minutes: minutes.nullable().optional(),
  })
  .superRefine((d, ctx) => {
    if (d.closed_all_day && d.open_all_day)
      ctx.addIssue({ code: "custom", path: ["open_all_day"], message: "cannot be set with closed_all_day" });
    if (d.closed_all_day || d.open_all_day) return;
    for (const field of ["open_hour", "close_hour"] as const)
      if (d[field] == null) ctx.addIssue({ code: "custom", path: [field], message: "is required on an open day" });
    if (d.open_hour == null || d.close_hour == null) return;
    if (d.close_hour * 60 + (d.close_minutes ?? 0) <= d.open_hour * 60 + (d.open_minutes ?? 0))
      ctx.addIssue({ code: "custom", path: ["close_hour"], message: "must be after the opening time" });
  })
  .transform(
    (d): WorkingHours => ({
      day_of_week: d.day_of_week,
      closed_all_day: d.closed_all_day,
      open_all_day: d.open_all_day,
      open_hour: d.open_hour ?? null,
      open_minutes: d.open_minutes ?? null,
      close_hour: d.close_hour ?? null,
      close_minutes: d.close_minutes ?? null,
    }),
  );

const WorkingHoursInput = z
  .array(WorkingDay)
  .max(7)
  .superRefine((days, ctx) => {
    const seen = new Set<number>();
    days.forEach((d, i) => {
      if (seen.has(d.day_of_week))
        ctx.addIssue({ code: "custom", path: [i, "day_of_week"], message: "appears more than once" });
      seen.add(d.day_of_week);
    });
  })
  .describe(
    "Business hours in `timezone`, one entry per weekday; a day left out keeps its hours (a new inbox: Monday to " +
      "Friday 9:00-17:00, as Chatwoot). Open from open_hour:open_minutes until close_hour:close_minutes",
  );

const ChannelFields = z.object({
  webhook_url: clearable(zWebhookUrl)
    .optional()
    .describe("Where the inbox's events are delivered (http or https; private addresses are refused in production)"),
  hmac_mandatory: zBool.optional(),
  additional_attributes: zJsonObject.optional(),
  webhook_subscriptions: clearable(zNames(INBOX_EVENTS, { nonEmpty: true, what: "event" }))
    .optional()
    .describe(
      "Events sent to webhook_url (an array of names); null (the default) sends every inbox event, as Chatwoot",
    ),
  webhook_include_private: zBool.optional().describe("Also send private notes to webhook_url (default false)"),
});

const ChannelType = z
  .string()
  .trim()
  .superRefine((type, ctx) => {
    if (type !== "api")
      ctx.addIssue({
        code: "custom",
        message: `channel type "${type.slice(0, 40)}" is not supported: only "api" inboxes can be created`,
      });
  })
  .describe('Only "api" is supported');

const InboxFields = z.object({
  name: text(255).min(1),
  enable_auto_assignment: zBool.optional(),
  auto_assignment_config: zJsonObject
    .pipe(
      z
        .object({
          max_assignment_limit: zInt.pipe(z.number().int().min(1).max(10_000)).nullable().optional(),
          strategy: z.enum(STRATEGIES).optional(),
        })
        .loose(),
    )
    .optional()
    .describe(
      "`max_assignment_limit`: open conversations per agent in this inbox; `strategy`: balanced (default) or " +
        "round_robin",
    ),
  reassign_when_offline: zBool
    .optional()
    .describe("Re-route a returning contact's conversation when its agent is offline (default true)"),
  lock_to_single_conversation: zBool.optional(),
  allow_messages_after_resolved: zBool.optional(),
  greeting_enabled: zBool.optional().describe("Post greeting_message in every new conversation"),
  greeting_message: clearable(text(10_000)).optional(),
  timezone: text(100).refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Berlin").optional(),
  working_hours_enabled: zBool
    .optional()
    .describe("Answer a contact's message outside working_hours with out_of_office_message (once per closed period)"),
  working_hours: WorkingHoursInput.optional(),
  out_of_office_message: clearable(text(10_000)).optional(),
  csat_survey_enabled: zBool.optional(),
  avatar_url: clearable(httpUrl).optional(),
});

export const InboxCreateBody = InboxFields.extend({
  channel: ChannelFields.extend({ type: ChannelType.default("api") })
    .optional()
    .describe("The channel; omitted, an API channel without webhook"),
}).openapi("InboxCreate");

export const InboxUpdateBody = InboxFields.partial()
  .extend({ channel: ChannelFields.optional().describe("Updates the API channel's fields") })
  .openapi("InboxUpdate");

export const InboxList = z.object({ payload: z.array(Inbox) }).openapi("InboxList");
export { Inbox };
