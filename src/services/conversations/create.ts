import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  accounts,
  accountUsers,
  contactInboxes,
  contacts,
  conversations,
  inboxes,
  inboxMembers,
  teams,
  users,
  type ConversationStatus,
} from "../../db/schema";
import { eqIfGiven, prefixed } from "../../db/select";
import { secureToken, uuid as newUuid } from "../../lib/crypto";
import { notFound, unprocessable } from "../../lib/errors";
import type { ConversationView } from "../../serializers/conversation";
import { activityInsert, activityText, conversationIdByUuid } from "../activity";
import { isAdmin } from "../auth";
import { conversationViews, toView, type ConversationViewRow } from "../../views/conversations";
import { messageStatements } from "../message-writes";
import { agentMessageEffects, participantInsert } from "../mentions";
import { notifyStatements } from "../notifications";
import { routeStatements } from "../routing";
import { greetingStatements } from "../auto-replies";
import { availableName } from "../../serializers/user";
import type { Outbox } from "../../events/outbox";
import type { DB } from "../../db/client";
import type { ContactInboxRow, ContactRow, InboxRow, TeamRow, UserRow } from "../../db/schema";
import { actorName, type AgentContext } from "../context";
import type { z } from "@hono/zod-openapi";
import type { ConversationCreateBody } from "../../routes/conversations/conversations.schemas";

export type CreateConversationInput = z.output<typeof ConversationCreateBody>;

/**
 * What creating a conversation reads first, as one batch of statements: the contact_inbox the
 * input names (with its inbox and contact), the inbox, the contact, the assignee and the team it
 * names, the caller's inbox memberships and, for `lock_to_single_conversation`, the session's
 * latest conversation. `callerId` is the caller's user id, or a subquery for it: the route runs
 * these reads in the same round trip as the token check (`authenticate({ load })`).
 */
export function createReads(db: DB, accountId: number, callerId: number | SQL, input: CreateConversationInput) {
  const ciWhere = input.source_id
    ? and(
        eq(contactInboxes.sourceId, input.source_id),
        input.inbox_id ? eq(contactInboxes.inboxId, input.inbox_id) : undefined,
      )
    : and(eq(contactInboxes.inboxId, input.inbox_id ?? 0), eq(contactInboxes.contactId, input.contact_id ?? 0));
  const session = sql`(select ${contactInboxes.id} from ${contactInboxes}
    join ${inboxes} on ${inboxes.id} = ${contactInboxes.inboxId}
    where ${ciWhere} and ${inboxes.accountId} = ${accountId} order by ${contactInboxes.id} limit 1)`;
  return [
    db
      .select({
        contactInbox: prefixed(contactInboxes, "ci"),
        inbox: prefixed(inboxes, "i"),
        contact: prefixed(contacts, "ct"),
      })
      .from(contactInboxes)
      .innerJoin(inboxes, eq(inboxes.id, contactInboxes.inboxId))
      .innerJoin(contacts, eq(contacts.id, contactInboxes.contactId))
      .where(and(ciWhere, eq(inboxes.accountId, accountId)))
      .orderBy(asc(contactInboxes.id))
      .limit(1),
    db
      .select()
      .from(inboxes)
      .where(and(eq(inboxes.accountId, accountId), eqIfGiven(inboxes.id, input.inbox_id))),
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, accountId), eqIfGiven(contacts.id, input.contact_id))),
    db
      .select({ user: prefixed(users, "u") })
      .from(accountUsers)
      .innerJoin(users, eq(users.id, accountUsers.userId))
      .where(and(eq(accountUsers.accountId, accountId), eqIfGiven(accountUsers.userId, input.assignee_id))),
    db
      .select()
      .from(teams)
      .where(and(eq(teams.accountId, accountId), eqIfGiven(teams.id, input.team_id))),
    db
      .select({ inboxId: inboxMembers.inboxId })
      .from(inboxMembers)
      .where(eq(inboxMembers.userId, sql`${callerId}`)),
    conversationViews(db, eq(conversations.contactInboxId, session)).orderBy(desc(conversations.id)).limit(1),
  ] as const;
}

/** The rows of `createReads`, read back in its order. */
export type CreateReadRows = unknown[];

/**
 * Creates a conversation from a `source_id`, or from `inbox_id` + `contact_id` (creating the
 * contact_inbox if needed), with an optional first message, in one batch: the display id
 * comes from the account's sequence inside the same transaction, so ids never collide. `read`
 * is what `createReads` returned when the route ran it with the token check; without it, the
 * reads are made here.
 */
export async function createConversation(
  ctx: AgentContext,
  input: CreateConversationInput,
  read?: CreateReadRows,
): Promise<ConversationView> {
  const { db, accountId, actor: principal } = ctx;
  if (!input.source_id && (!input.inbox_id || !input.contact_id)) {
    throw unprocessable("Provide source_id, or inbox_id and contact_id", [
      { field: "source_id", message: "is required unless inbox_id and contact_id are given" },
    ]);
  }
  const rows = read ?? (await db.batch([...createReads(db, accountId, principal.user.id, input)]));
  const [found, inboxRows, contactRows, assigneeRows, teamRows, memberships, latestRows] = rows as [
    { contactInbox: ContactInboxRow; inbox: InboxRow; contact: ContactRow }[],
    InboxRow[],
    ContactRow[],
    { user: UserRow }[],
    TeamRow[],
    { inboxId: number }[],
    ConversationViewRow[],
  ];

  const existing = found[0];
  const inbox = existing?.inbox ?? inboxRows[0];
  const contact = existing?.contact ?? contactRows[0];
  if (input.source_id && !existing) throw notFound("Contact inbox");
  if (!inbox) throw notFound("Inbox");
  if (!contact) throw notFound("Contact");
  if (input.assignee_id && !assigneeRows[0]) throw notFound("Agent");
  if (input.team_id && !teamRows[0]) throw notFound("Team");
  // Agents may only work in inboxes they belong to; other inboxes look missing.
  if (!isAdmin(principal) && !memberships.some((m) => m.inboxId === inbox.id)) throw notFound("Inbox");

  // One conversation per contact in this inbox: the contact's latest is reused.
  if (inbox.lockToSingleConversation && existing && latestRows[0]) return toView(latestRows[0]);

  const at = Date.now();
  const status: ConversationStatus = input.status ?? "open";
  const created = newConversationStatements(db, ctx.outbox, {
    accountId,
    inboxId: inbox.id,
    contactId: contact.id,
    contactInboxId: existing?.contactInbox.id ?? null,
    status,
    assigneeId: input.assignee_id ?? null,
    teamId: input.team_id ?? null,
    snoozedUntil: status === "snoozed" && input.snoozed_until ? input.snoozed_until * 1000 : null,
    additionalAttributes: input.additional_attributes ?? {},
    customAttributes: input.custom_attributes ?? {},
    at,
    agentBotId: inbox.agentBotId,
  });
  const { uuid, conversationId, statements } = created;
  const target = { accountId, inboxId: inbox.id, contactId: contact.id, conversationId };
  if (input.message) {
    const m = messageStatements(db, target, input.message, { type: "User", id: principal.user.id }, at);
    const effects = { ...target, messageId: m.event.messageId!, authorId: principal.user.id };
    statements.push(
      m.insert,
      ...m.statements,
      ...ctx.outbox.record(m.event),
      ...agentMessageEffects(db, ctx.outbox, effects, input.message, at),
    );
  }
  statements.push(...created.routing);
  const assignee = assigneeRows[0]?.user;
  if (assignee) {
    const self = assignee.id === principal.user.id;
    const text = self
      ? activityText.selfAssigned(actorName(principal))
      : activityText.assigned(availableName(assignee), actorName(principal));
    statements.push(
      activityInsert(db, target, text, at + 1),
      participantInsert(db, { accountId, conversationId, userId: assignee.id, at }),
      ...(self
        ? []
        : notifyStatements(db, ctx.outbox, {
            accountId,
            recipient: assignee.id,
            type: "conversation_assignment",
            conversationId,
            actorId: principal.user.id,
            at,
          })),
    );
  }
  const view = conversationViews(db, eq(conversations.uuid, uuid));
  const results = await db.batch([...(statements as [BatchItem<"sqlite">]), view]);
  return toView((results[results.length - 1] as ConversationViewRow[])[0]);
}

type NewConversation = {
  accountId: number;
  inboxId: number;
  contactId: number;
  /** The contact's session in the inbox; null creates one. */
  contactInboxId: number | null;
  status: ConversationStatus;
  assigneeId: number | null;
  teamId: number | null;
  snoozedUntil: number | null;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  at: number;
  /** The inbox's agent bot: an open conversation nobody was assigned to starts pending, held by it. */
  agentBotId: number | null;
};

/**
 * The statements that create a conversation, for the caller's batch: the display id comes from
 * the account's sequence inside the same transaction, so ids never collide; `conversation_created`
 * is recorded, and an open conversation nobody holds is routed in the same batch, unless the
 * inbox has a bot: then it starts `pending`, held by the bot, and no agent gets it until the bot
 * hands it off (as Chatwoot does for an inbox with an active bot).
 */
export function newConversationStatements(db: DB, outbox: Outbox, input: NewConversation) {
  const held = input.agentBotId !== null && !input.assigneeId && input.status === "open";
  const n = held ? { ...input, status: "pending" as const } : input;
  const uuid = newUuid();
  const conversationId = conversationIdByUuid(uuid);
  const statements: BatchItem<"sqlite">[] = [
    db
      .update(accounts)
      .set({ lastDisplayId: sql`${accounts.lastDisplayId} + 1` })
      .where(eq(accounts.id, n.accountId)),
  ];
  let contactInboxId: number | SQL = n.contactInboxId ?? 0;
  if (n.contactInboxId === null) {
    const sourceId = newUuid();
    statements.push(
      db
        .insert(contactInboxes)
        .values({ contactId: n.contactId, inboxId: n.inboxId, sourceId, pubsubToken: secureToken() }),
    );
    contactInboxId = sql`(select id from contact_inboxes where inbox_id = ${n.inboxId} and source_id = ${sourceId})`;
  }
  statements.push(
    db.insert(conversations).values({
      accountId: n.accountId,
      displayId: sql`(select ${accounts.lastDisplayId} from ${accounts} where ${accounts.id} = ${n.accountId})`,
      uuid,
      inboxId: n.inboxId,
      contactId: n.contactId,
      contactInboxId: contactInboxId as number,
      status: n.status,
      assigneeId: n.assigneeId,
      assigneeAgentBotId: held ? n.agentBotId : null,
      teamId: n.teamId,
      snoozedUntil: n.snoozedUntil,
      additionalAttributes: n.additionalAttributes,
      customAttributes: n.customAttributes,
      lastActivityAt: n.at,
      createdAt: n.at,
      updatedAt: n.at,
    }),
    ...outbox.record({
      event: "conversation_created",
      accountId: n.accountId,
      inboxId: n.inboxId,
      conversationId,
      contactId: n.contactId,
    }),
    // The inbox's greeting, if it has one; a conversation that starts resolved (a blocked contact's) gets none.
    ...(n.status === "resolved"
      ? []
      : greetingStatements(db, outbox, { accountId: n.accountId, inboxId: n.inboxId, conversationId, at: n.at })),
  );
  const routing =
    !n.assigneeId && n.status === "open"
      ? routeStatements(
          db,
          outbox,
          { accountId: n.accountId, inboxId: n.inboxId, conversation: conversationId },
          n.at + 1,
        )
      : [];
  return { uuid, conversationId, statements, routing };
}
