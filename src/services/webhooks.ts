import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { inboxes, webhooks } from "../db/schema";
import { prefixed } from "../db/select";
import { isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import type { WebhookInbox } from "../serializers/webhook";
import { validateWebhookUrl, type WebhookUrlEnv } from "../lib/webhook-url";
import { findInbox } from "./inboxes";
import { newSigningSecret, rotatedSecret } from "./signing-secrets";
import type { WebhookRow } from "../db/schema";
import type { DB } from "../db/client";
import type { ServiceContext } from "./context";
import type { z } from "@hono/zod-openapi";
import type { WebhookCreateBody, WebhookUpdateBody } from "../routes/webhooks/webhooks.schemas";

export type WebhookWithInbox = { webhook: WebhookRow; inbox: WebhookInbox | null };

export type WebhookInput = z.output<typeof WebhookUpdateBody>;

/** Webhooks of the account with their inbox's id and name (batch-safe: aliased columns). */
function webhookRows(db: DB, accountId: number, where?: SQL) {
  return db
    .select({
      webhook: prefixed(webhooks, "w"),
      inboxId: sql<number | null>`${inboxes.id}`.as("i__id"),
      inboxName: sql<string | null>`${inboxes.name}`.as("i__name"),
    })
    .from(webhooks)
    .leftJoin(inboxes, eq(inboxes.id, webhooks.inboxId))
    .where(and(eq(webhooks.accountId, accountId), where))
    .orderBy(asc(webhooks.id));
}

type Joined = Awaited<ReturnType<typeof webhookRows>>[number];
const withInbox = (r: Joined): WebhookWithInbox => ({
  webhook: r.webhook,
  inbox: r.inboxId == null ? null : { id: r.inboxId, name: r.inboxName ?? "" },
});

const urlTaken = () =>
  unprocessable("Validation failed: url: has already been taken", [
    { field: "url", message: "has already been taken" },
  ]);

/** Runs a write, answering the per-account URL uniqueness violation as a 422 on `url`. */
async function uniqueUrl<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) throw urlTaken();
    throw err;
  }
}

/** The column changes an input asks for; a new URL or `webhook_disabled: false` clears the failure state. */
function columns(input: WebhookInput, env: WebhookUrlEnv) {
  const set: Partial<typeof webhooks.$inferInsert> = {};
  if (input.url !== undefined) set.url = validateWebhookUrl(input.url, env);
  if (input.name !== undefined) set.name = input.name;
  if (input.subscriptions !== undefined) set.subscriptions = input.subscriptions;
  if (input.inbox_id !== undefined) set.inboxId = input.inbox_id;
  if (input.webhook_disabled === true) set.disabled = true;
  if (input.url !== undefined || input.webhook_disabled === false) {
    set.disabled = false;
    set.failingSince = null;
  }
  return set;
}

/** The account's webhooks, oldest first, each with its inbox filter. */
export async function listWebhooks({ db, accountId }: ServiceContext): Promise<WebhookWithInbox[]> {
  return (await webhookRows(db, accountId)).map(withInbox);
}

/**
 * Creates an account webhook with a fresh signing secret. The URL must be unique in the
 * account and allowed by the address policy; `inbox_id` must be an inbox of the account.
 */
export async function createWebhook(
  { db, accountId }: ServiceContext,
  input: z.output<typeof WebhookCreateBody>,
  env: WebhookUrlEnv,
): Promise<WebhookWithInbox> {
  const set = columns(input, env);
  const inbox = input.inbox_id ? await findInbox(db, accountId, input.inbox_id) : null;
  const [row] = await uniqueUrl(
    db
      .insert(webhooks)
      .values({ ...set, accountId, url: set.url!, subscriptions: input.subscriptions, secret: newSigningSecret() })
      .returning(),
  );
  return { webhook: row, inbox: inbox ? { id: inbox.id, name: inbox.name } : null };
}

/** Updates the fields given; another account's webhook (or inbox) answers 404 and nothing changes. */
export async function updateWebhook(
  { db, accountId }: ServiceContext,
  id: number,
  input: WebhookInput,
  env: WebhookUrlEnv,
): Promise<WebhookWithInbox> {
  const set = columns(input, env);
  if (input.inbox_id) await findInbox(db, accountId, input.inbox_id);
  const where = and(eq(webhooks.accountId, accountId), eq(webhooks.id, id));
  const read = webhookRows(db, accountId, eq(webhooks.id, id));
  const rows =
    Object.keys(set).length > 0
      ? (await uniqueUrl(db.batch([db.update(webhooks).set(set).where(where), read])))[1]
      : await read;
  if (!rows[0]) throw notFound("Webhook");
  return withInbox(rows[0]);
}

/** Deletes the webhook with its delivery log (the deliveries cascade). */
export async function deleteWebhook({ db, accountId }: ServiceContext, id: number) {
  const deleted = await db
    .delete(webhooks)
    .where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id)))
    .returning({ id: webhooks.id });
  if (!deleted[0]) throw notFound("Webhook");
}

/** A fresh signing secret; the previous one keeps signing deliveries for 24 hours. */
export async function resetWebhookSecret({ db, accountId }: ServiceContext, id: number): Promise<WebhookWithInbox> {
  const rotate = db
    .update(webhooks)
    .set(rotatedSecret(webhooks.secret))
    .where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id)));
  const [, rows] = await db.batch([rotate, webhookRows(db, accountId, eq(webhooks.id, id))]);
  if (!rows[0]) throw notFound("Webhook");
  return withInbox(rows[0]);
}
