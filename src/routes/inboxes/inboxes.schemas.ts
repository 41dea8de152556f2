import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zBool, zJsonObject } from "../../lib/zod";
import { Inbox } from "../../serializers/inbox";

export const InboxParams = accountChild("id", "Inbox id");

const text = (max: number) => z.string().trim().max(max);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2048);
/** An empty string clears the value, as Chatwoot's forms send it. */
const clearable = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? null : v), schema.nullable());

function isTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const ChannelFields = z.object({
  webhook_url: clearable(httpUrl).optional().describe("Where the inbox's events are delivered (http or https)"),
  hmac_mandatory: zBool.optional(),
  additional_attributes: zJsonObject.optional(),
});

const ChannelType = z
  .string()
  .trim()
  .superRefine((type, ctx) => {
    if (type !== "api")
      ctx.addIssue({ code: "custom", message: `channel type "${type.slice(0, 40)}" is not supported: only "api" inboxes can be created` });
  })
  .describe('Only "api" is supported');

const InboxFields = z.object({
  name: text(255).min(1),
  enable_auto_assignment: zBool.optional(),
  auto_assignment_config: zJsonObject.optional().describe("e.g. `{max_assignment_limit}`"),
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
