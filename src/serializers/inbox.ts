import type { InboxRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import { unix } from "../lib/time";
import { Attributes, UnixTime } from "../lib/schemas";
import { weekSchedule } from "../lib/business-hours";

/** One weekday of an inbox's business hours (Chatwoot's `working_hours` entry). */
export const WorkingDay = z
  .object({
    day_of_week: z.number().int().describe("0 is Sunday, 6 Saturday"),
    closed_all_day: z.boolean(),
    open_all_day: z.boolean(),
    open_hour: z.number().int().nullable(),
    open_minutes: z.number().int().nullable(),
    close_hour: z.number().int().nullable(),
    close_minutes: z.number().int().nullable(),
  })
  .openapi("WorkingHours");

/** The week's hours, Sunday to Saturday, as stored or (never set) Chatwoot's default. */
export const workingHours = (i: InboxRow): z.infer<typeof WorkingDay>[] => weekSchedule(i.workingHours ?? []);

export const InboxSlim = z
  .object({ id: z.number().int(), name: z.string(), channel_type: z.string(), inbox_identifier: z.string() })
  .openapi("InboxSummary");

export const inboxSlim = (i: InboxRow): z.infer<typeof InboxSlim> => ({
  id: i.id,
  name: i.name,
  channel_type: i.channelType,
  inbox_identifier: i.identifier,
});

export const Inbox = z
  .object({
    id: z.number().int(),
    account_id: z.number().int(),
    channel_id: z.number().int(),
    name: z.string(),
    channel_type: z.string(),
    avatar_url: z.string(),
    inbox_identifier: z.string(),
    webhook_url: z.string().nullable(),
    hmac_mandatory: z.boolean(),
    webhook_subscriptions: z
      .array(z.string())
      .nullable()
      .describe("Events sent to webhook_url; null: every inbox event"),
    webhook_include_private: z.boolean().describe("Whether private notes are sent to webhook_url"),
    webhook_disabled: z
      .boolean()
      .describe("Deliveries to webhook_url stopped after failing for days; set webhook_url again to resume"),
    webhook_failing_since: UnixTime.nullable().describe("Start of the current run of failed deliveries"),
    hmac_token: z.string().optional().describe("Administrators only"),
    secret: z.string().optional().describe("Administrators only: signs webhook deliveries"),
    greeting_enabled: z.boolean(),
    greeting_message: z.string().nullable(),
    working_hours_enabled: z.boolean(),
    working_hours: z.array(WorkingDay).describe("Sunday to Saturday, in `timezone`"),
    enable_email_collect: z.boolean(),
    csat_survey_enabled: z.boolean(),
    csat_config: Attributes,
    enable_auto_assignment: z.boolean(),
    reassign_when_offline: z.boolean(),
    auto_assignment_config: Attributes,
    out_of_office_message: z.string().nullable(),
    timezone: z.string(),
    callback_webhook_url: z.string().nullable(),
    allow_messages_after_resolved: z.boolean(),
    lock_to_single_conversation: z.boolean(),
    sender_name_type: z.string(),
    business_name: z.string().nullable(),
    additional_attributes: Attributes,
  })
  .openapi("Inbox");

/** Inbox JSON; the HMAC token and signing secret only for administrators. */
export function inbox(i: InboxRow, opts: { admin: boolean }): z.infer<typeof Inbox> {
  return {
    id: i.id,
    account_id: i.accountId,
    channel_id: i.id,
    name: i.name,
    channel_type: i.channelType,
    avatar_url: i.avatarUrl ?? "",
    inbox_identifier: i.identifier,
    webhook_url: i.webhookUrl,
    hmac_mandatory: i.hmacMandatory,
    webhook_subscriptions: i.webhookSubscriptions ?? null,
    webhook_include_private: i.webhookIncludePrivate,
    webhook_disabled: i.webhookDisabled,
    webhook_failing_since: unix(i.webhookFailingSince),
    ...(opts.admin ? { hmac_token: i.hmacToken, secret: i.secret } : {}),
    greeting_enabled: i.greetingEnabled,
    greeting_message: i.greetingMessage,
    working_hours_enabled: i.workingHoursEnabled,
    working_hours: workingHours(i),
    enable_email_collect: false,
    csat_survey_enabled: i.csatSurveyEnabled,
    csat_config: {},
    enable_auto_assignment: i.enableAutoAssignment,
    reassign_when_offline: i.reassignWhenOffline,
    auto_assignment_config: i.autoAssignmentConfig,
    out_of_office_message: i.outOfOfficeMessage,
    timezone: i.timezone,
    callback_webhook_url: null,
    allow_messages_after_resolved: i.allowMessagesAfterResolved,
    lock_to_single_conversation: i.lockToSingleConversation,
    sender_name_type: "friendly",
    business_name: null,
    additional_attributes: i.additionalAttributes,
  };
}
