import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, jsonObject, timestamps } from "./columns";
import { accounts } from "./accounts";
import { users } from "./users";
import { agentBots } from "./bots";

/** One weekday of an inbox's business hours, as Chatwoot's `working_hours` rows (0 is Sunday). */
export type WorkingHours = {
  day_of_week: number;
  closed_all_day: boolean;
  open_all_day: boolean;
  open_hour: number | null;
  open_minutes: number | null;
  close_hour: number | null;
  close_minutes: number | null;
};

/** How an inbox's auto-assignment picks an agent (`auto_assignment_config.strategy`). */
export const STRATEGIES = ["balanced", "round_robin"] as const;

export const inboxes = sqliteTable(
  "inboxes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    channelType: text("channel_type").notNull().default("Channel::Api"),
    /** The public API's `inbox_identifier`. */
    identifier: text("identifier").notNull(),
    webhookUrl: text("webhook_url"),
    hmacToken: text("hmac_token").notNull(),
    hmacMandatory: bool("hmac_mandatory", false),
    /** Signs deliveries to `webhook_url`. */
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    /** Events sent to `webhook_url`; null means every inbox event, as Chatwoot. */
    webhookSubscriptions: text("webhook_subscriptions", { mode: "json" }).$type<string[] | null>(),
    /** Private notes reach `webhook_url` only when asked for. */
    webhookIncludePrivate: bool("webhook_include_private", false),
    webhookDisabled: bool("webhook_disabled", false),
    webhookFailingSince: integer("webhook_failing_since"),
    enableAutoAssignment: bool("enable_auto_assignment", true),
    /** A returning contact's conversation held by an offline agent goes back to routing. */
    reassignWhenOffline: bool("reassign_when_offline", true),
    autoAssignmentConfig: jsonObject("auto_assignment_config"),
    lockToSingleConversation: bool("lock_to_single_conversation", false),
    allowMessagesAfterResolved: bool("allow_messages_after_resolved", true),
    greetingEnabled: bool("greeting_enabled", false),
    greetingMessage: text("greeting_message"),
    timezone: text("timezone").notNull().default("UTC"),
    workingHoursEnabled: bool("working_hours_enabled", false),
    outOfOfficeMessage: text("out_of_office_message"),
    csatSurveyEnabled: bool("csat_survey_enabled", false),
    avatarUrl: text("avatar_url"),
    additionalAttributes: jsonObject("additional_attributes"),
    ...timestamps,
    /** The weekly schedule, in `timezone`; a day missing has Chatwoot's default hours (lib/business-hours.ts). */
    workingHours: text("working_hours", { mode: "json" }).$type<WorkingHours[]>().notNull().default(sql`'[]'`),
    /** The bot that owns this inbox's new conversations until it hands them off. */
    agentBotId: integer("agent_bot_id").references(() => agentBots.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("inboxes_identifier_uq").on(t.identifier),
    index("inboxes_account_idx").on(t.accountId),
    // Deleting a bot detaches it from its inboxes.
    index("inboxes_agent_bot_idx").on(t.agentBotId),
  ],
);

export const inboxMembers = sqliteTable(
  "inbox_members",
  {
    inboxId: integer("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.inboxId, t.userId] }), index("inbox_members_user_idx").on(t.userId)],
);

export type InboxRow = typeof inboxes.$inferSelect;
