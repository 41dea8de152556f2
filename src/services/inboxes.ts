import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { seesInbox, type Viewer } from "../views/visibility";
import { inboxes, inboxMembers } from "../db/schema";
import { eqIfGiven } from "../db/select";
import { secureToken } from "../lib/crypto";
import { weekSchedule } from "../lib/business-hours";
import { notFound } from "../lib/errors";
import { validateWebhookUrl, type WebhookUrlEnv } from "../lib/webhook-url";
import { newSigningSecret, rotatedSecret } from "./signing-secrets";
import type { InboxRow } from "../db/schema";
import type { DB } from "../db/client";
import { viewerOf } from "./auth";
import type { AgentContext, ServiceContext } from "./context";
import type { z } from "@hono/zod-openapi";
import type { InboxCreateBody, InboxUpdateBody } from "../routes/inboxes/inboxes.schemas";

export { newSigningSecret };

type InboxBody = z.output<typeof InboxUpdateBody>;
/** An inbox's settings, flat: the inbox routes' fields with the channel's lifted out of `channel`. */
export type InboxSettings = Omit<InboxBody, "channel"> & NonNullable<InboxBody["channel"]>;

function columns(s: InboxSettings) {
  const set: Partial<typeof inboxes.$inferInsert> = {};
  if (s.name !== undefined) set.name = s.name;
  if (s.webhook_url !== undefined) {
    set.webhookUrl = s.webhook_url || null;
    // A new (or re-sent) URL is a fresh start for a target that was disabled after failing.
    set.webhookDisabled = false;
    set.webhookFailingSince = null;
  }
  if (s.webhook_subscriptions !== undefined) set.webhookSubscriptions = s.webhook_subscriptions;
  if (s.webhook_include_private !== undefined) set.webhookIncludePrivate = s.webhook_include_private;
  if (s.hmac_mandatory !== undefined) set.hmacMandatory = s.hmac_mandatory;
  if (s.additional_attributes !== undefined) set.additionalAttributes = s.additional_attributes;
  if (s.enable_auto_assignment !== undefined) set.enableAutoAssignment = s.enable_auto_assignment;
  if (s.auto_assignment_config !== undefined) set.autoAssignmentConfig = s.auto_assignment_config;
  if (s.reassign_when_offline !== undefined) set.reassignWhenOffline = s.reassign_when_offline;
  if (s.lock_to_single_conversation !== undefined) set.lockToSingleConversation = s.lock_to_single_conversation;
  if (s.allow_messages_after_resolved !== undefined) set.allowMessagesAfterResolved = s.allow_messages_after_resolved;
  if (s.greeting_enabled !== undefined) set.greetingEnabled = s.greeting_enabled;
  if (s.greeting_message !== undefined) set.greetingMessage = s.greeting_message;
  if (s.timezone !== undefined) set.timezone = s.timezone;
  if (s.working_hours_enabled !== undefined) set.workingHoursEnabled = s.working_hours_enabled;
  if (s.out_of_office_message !== undefined) set.outOfOfficeMessage = s.out_of_office_message;
  if (s.csat_survey_enabled !== undefined) set.csatSurveyEnabled = s.csat_survey_enabled;
  if (s.avatar_url !== undefined) set.avatarUrl = s.avatar_url;
  return set;
}

/**
 * Creates an API-channel inbox with fresh identifier, HMAC token and signing secret, and its
 * `inbox_created` event in the same batch. Its week of business hours is stored whole: the days
 * given, Chatwoot's default (Monday to Friday 9–17) for the others.
 */
export async function createInbox(
  { db, accountId, outbox }: ServiceContext,
  s: InboxSettings & { name: string },
): Promise<InboxRow> {
  const identifier = secureToken();
  const insert = db
    .insert(inboxes)
    .values({
      ...columns(s),
      accountId,
      name: s.name,
      identifier,
      hmacToken: secureToken(),
      secret: newSigningSecret(),
      workingHours: weekSchedule([], s.working_hours),
    })
    .returning();
  const inboxId = sql`(select id from inboxes where identifier = ${identifier})`;
  const [rows] = await db.batch([insert, ...outbox.record({ event: "inbox_created", accountId, inboxId })]);
  return rows[0];
}

/** Updates an inbox; a real change records `inbox_updated` in the same batch. */
export async function updateInbox(
  { db, accountId, outbox }: ServiceContext,
  id: number,
  s: InboxSettings,
): Promise<InboxRow> {
  const set = columns(s);
  const where = and(eq(inboxes.accountId, accountId), eq(inboxes.id, id));
  const current = await findInbox(db, accountId, id);
  // Chatwoot's update changes the days sent and keeps the others.
  if (s.working_hours !== undefined) set.workingHours = weekSchedule(current.workingHours, s.working_hours);
  if (Object.keys(set).length === 0) return current;
  const event = outbox.record({ event: "inbox_updated", accountId, inboxId: id });
  const [rows] = await db.batch([db.update(inboxes).set(set).where(where).returning(), ...event]);
  return rows[0];
}

export async function findInbox(db: DB, accountId: number, id: number): Promise<InboxRow> {
  const [row] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.accountId, accountId), eq(inboxes.id, id)));
  if (!row) throw notFound("Inbox");
  return row;
}

export async function addInboxMembers(db: DB, inboxId: number, userIds: number[]) {
  if (userIds.length === 0) return;
  await db
    .insert(inboxMembers)
    .values(userIds.map((userId) => ({ inboxId, userId })))
    .onConflictDoNothing();
}

/** The visibility rule (`seesInbox`) as a condition on `inboxes`. */
export const inboxVisibleTo = (v: Viewer): SQL | undefined => seesInbox(v, inboxes.id);

/** The inbox, if it is in the account and visible to the viewer (batchable); none without an id. */
export function visibleInbox(
  db: DB,
  accountId: number,
  viewer: Parameters<typeof seesInbox>[0],
  id: number | undefined,
) {
  return db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.accountId, accountId), eqIfGiven(inboxes.id, id), seesInbox(viewer, inboxes.id)));
}

export function listInboxes({ db, accountId, actor }: AgentContext): Promise<InboxRow[]> {
  return db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.accountId, accountId), inboxVisibleTo(viewerOf(actor))))
    .orderBy(asc(inboxes.id));
}

/** An inbox the viewer may see; a hidden inbox answers exactly like a missing one. */
export async function showInbox({ db, accountId, actor }: AgentContext, id: number): Promise<InboxRow> {
  const [row] = await visibleInbox(db, accountId, viewerOf(actor), id);
  if (!row) throw notFound("Inbox");
  return row;
}

/** The API body: channel fields nested under `channel`, as Chatwoot takes them. */
export type InboxInput = z.output<typeof InboxCreateBody> | InboxBody;

/**
 * The settings an API body asks for. The webhook URL is checked against the deployment's
 * address policy here (private addresses only where `ALLOW_PRIVATE_WEBHOOK_URLS` is "true").
 */
export function inboxSettings({ channel, ...rest }: InboxInput, env: WebhookUrlEnv): InboxSettings {
  // `type` names the channel (only "api" is accepted); it is not a setting.
  const { type: _apiOnly, ...channelFields }: { type?: string } & InboxSettings = channel ?? {};
  const settings: InboxSettings = { ...rest, ...channelFields };
  if (settings.webhook_url) settings.webhook_url = validateWebhookUrl(settings.webhook_url, env, "channel.webhook_url");
  return settings;
}

/** Deletes the inbox with its members, contact_inboxes, conversations and messages (cascade). */
export async function deleteInbox({ db, accountId }: ServiceContext, id: number) {
  const deleted = await db
    .delete(inboxes)
    .where(and(eq(inboxes.accountId, accountId), eq(inboxes.id, id)))
    .returning({ id: inboxes.id });
  if (!deleted[0]) throw notFound("Inbox");
}

/** A fresh webhook signing secret; the old one keeps signing alongside it for 24 hours. */
export async function resetInboxSecret({ db, accountId }: ServiceContext, id: number): Promise<InboxRow> {
  const [row] = await db
    .update(inboxes)
    .set(rotatedSecret(inboxes.secret))
    .where(and(eq(inboxes.accountId, accountId), eq(inboxes.id, id)))
    .returning();
  if (!row) throw notFound("Inbox");
  return row;
}
