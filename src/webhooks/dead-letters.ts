import { and, eq, inArray, sql } from "drizzle-orm";
import type { DB } from "../db/client";
import { deliveries, events } from "../db/schema";
import type { EventHead } from "../events/load";
import { eqIfGiven } from "../db/select";
import { Outbox } from "../events/outbox";
import { publishCommitted } from "../events/publish";
import { failUndeliveredReply } from "../services/messages";
import { handOffAfterBotFailure } from "../services/agent-bots";
import type { WebhookEnv } from "./policy";

/**
 * Records a dead letter: a delivery whose attempts are used up, or a job that failed
 * repeatedly. The delivery becomes `dead`, with what follows from a final failure.
 */
export async function recordDeadLetter(env: WebhookEnv, db: DB, job: { deliveryId?: number; eventUid?: string }) {
  const now = Date.now();
  const where = job.deliveryId
    ? eq(deliveries.id, job.deliveryId)
    : and(
        sql`${deliveries.eventId} = (select id from events where ${eqIfGiven(events.uid, job.eventUid)})`,
        eq(deliveries.status, "pending"),
      );
  const dead = await db
    .update(deliveries)
    .set({
      status: "dead",
      nextAttemptAt: null,
      leaseUntil: null,
      lastError: sql`coalesce(${deliveries.lastError}, 'dead-lettered: the delivery job failed repeatedly')`,
      updatedAt: now,
    })
    .where(and(where, inArray(deliveries.status, ["pending", "failed"])))
    .returning();
  for (const d of dead) {
    const [event] = await db.select().from(events).where(eq(events.id, d.eventId));
    if (event) await onFinalFailure(env, db, d.id, event);
  }
}

/**
 * What follows when a delivery of an agent's reply to the API inbox's webhook_url fails for good:
 * the message becomes `failed` (the rule lives with messages), and the change is published. When
 * a message never reached the agent bot holding the conversation, the conversation is opened for
 * agents instead.
 */
export async function onFinalFailure(env: WebhookEnv, db: DB, deliveryId: number, event: EventHead) {
  if (event.event !== "message_created" || !event.messageId) return;
  const [d] = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
  // A bot that cannot be reached hands its conversation to the agents.
  if (d?.agentBotId && event.conversationId) {
    const outbox = new Outbox(db);
    await handOffAfterBotFailure(db, outbox, event.conversationId, d.agentBotId);
    return publishCommitted(env, outbox);
  }
  // Only the inbox's webhook_url carries the reply to the end user; an account webhook does not.
  if (!d?.inboxId) return;
  const outbox = new Outbox(db, typeof event.data.origin === "string" ? event.data.origin : "");
  await failUndeliveredReply(db, outbox, event.messageId, `Webhook delivery failed: ${d.lastError ?? "unknown error"}`);
  await publishCommitted(env, outbox);
}
