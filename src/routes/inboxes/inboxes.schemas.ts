import { STRATEGIES } from "../../db/schema";
import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zBool, zClearable as clearable, zInt, zJsonObject, zNames } from "../../lib/zod";
import { Inbox } from "../../serializers/inbox";
import { INBOX_EVENTS } from "../../events/registry";
import { zWebhookUrl } from "../../lib/webhook-url";

export const InboxParams = accountChild("id", "Inbox id");

const text = (max: number) => z.string().trim().max(max);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2048);

function isTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
  greeting_enabled: zBool.optional(),
  greeting_message: clearable(text(10_000)).optional(),
  timezone: text(100).refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Berlin").optional(),
  working_hours_enabled: zBool.optional(),
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
