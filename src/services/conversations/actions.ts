import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  accountUsers,
  conversationLabels,
  conversations,
  teams,
  users,
  type ConversationStatus,
  type Priority,
} from "../../db/schema";
import { inList, prefixed } from "../../db/select";
import { notFound } from "../../lib/errors";
import type { ConversationView } from "../../serializers/conversation";
import { availableName } from "../../serializers/user";
import { activityInsert, activityText } from "../activity";
import { actorName, type AgentContext, type ServiceContext } from "../context";
import { drainInbox, routeStatements } from "../routing";
import type { MembershipRow, UserRow } from "../../db/schema";

const targetOf = (ctx: ServiceContext, v: ConversationView) => ({
  accountId: ctx.accountId,
  inboxId: v.conversation.inboxId,
  conversationId: v.conversation.id,
});

const whereId = (v: ConversationView) => eq(conversations.id, v.conversation.id);

type Change = Record<string, { previous_value: unknown; current_value: unknown }>;

/** `conversation_updated` with Chatwoot's `changed_attributes` list (real previous and current values). */
function updated(
  ctx: ServiceContext,
  v: ConversationView,
  changes: Change,
  event: "conversation_updated" | "conversation_status_changed" = "conversation_updated",
) {
  return ctx.outbox.record({
    event,
    accountId: ctx.accountId,
    inboxId: v.conversation.inboxId,
    conversationId: v.conversation.id,
    contactId: v.conversation.contactId,
    data: { changed_attributes: Object.entries(changes).map(([k, change]) => ({ [k]: change })) },
  });
}
const routeTarget = (ctx: ServiceContext, v: ConversationView) => ({
  accountId: ctx.accountId,
  inboxId: v.conversation.inboxId,
  conversation: v.conversation.id,
});
const change = (previous: unknown, current: unknown) => ({ previous_value: previous, current_value: current });
const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

async function write(ctx: ServiceContext, statements: BatchItem<"sqlite">[]) {
  if (statements.length > 0) await ctx.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

/**
 * Sets the status (or toggles open ↔ resolved when none is given, as Chatwoot does) and
 * records the activity in `by`'s name (an agent, or the contact on the client API).
 * `snoozedUntil` is unix seconds and only kept for `snoozed`.
 */
export async function toggleStatus(
  ctx: ServiceContext,
  v: ConversationView,
  by: string,
  status?: ConversationStatus,
  snoozedUntil?: number | null,
) {
  const current = v.conversation.status;
  const next: ConversationStatus = status ?? (current === "open" ? "resolved" : "open");
  const until = next === "snoozed" && snoozedUntil ? snoozedUntil * 1000 : null;
  if (next !== current || until !== v.conversation.snoozedUntil) {
    const at = Date.now();
    const changes: Change = {};
    if (next !== current) changes.status = change(current, next);
    if (until !== v.conversation.snoozedUntil)
      changes.snoozed_until = change(seconds(v.conversation.snoozedUntil), seconds(until));
    await write(ctx, [
      ctx.db.update(conversations).set({ status: next, snoozedUntil: until, updatedAt: at }).where(whereId(v)),
      ...(next !== current ? [activityInsert(ctx.db, targetOf(ctx, v), activityText.status(next, by), at)] : []),
      // Chatwoot sends both; here both carry the real previous and current values.
      ...(next !== current ? updated(ctx, v, changes, "conversation_status_changed") : []),
      ...updated(ctx, v, changes),
      // Reopened or woken up without an agent: route it now.
      ...(next === "open" && !v.conversation.assigneeId
        ? routeStatements(ctx.db, ctx.outbox, routeTarget(ctx, v), at + 1)
        : []),
    ]);
    // An agent's open conversation ended: their capacity goes to the backlog.
    if (current === "open" && next !== "open" && v.conversation.assigneeId)
      await drainInbox(ctx.db, ctx.outbox, ctx.accountId, v.conversation.inboxId);
  }
  return { status: next, snoozedUntil: until };
}

export async function setPriority(ctx: AgentContext, v: ConversationView, priority: Priority | null) {
  const previous = v.conversation.priority;
  if (previous === priority) return;
  const at = Date.now();
  await write(ctx, [
    ctx.db.update(conversations).set({ priority, updatedAt: at }).where(whereId(v)),
    activityInsert(ctx.db, targetOf(ctx, v), activityText.priority(previous, priority, actorName(ctx.actor)), at),
    ...updated(ctx, v, { priority: change(previous, priority) }),
  ]);
}

/**
 * The agent read the conversation: `agent_last_seen_at` (which `unread_count` counts from) and,
 * for the assignee, `assignee_last_seen_at` become now. One write, no event (as in Chatwoot).
 */
export async function markSeenByAgent(ctx: AgentContext, v: ConversationView): Promise<number> {
  const at = Date.now();
  const mine = v.conversation.assigneeId === ctx.actor.user.id;
  await ctx.db
    .update(conversations)
    .set({ agentLastSeenAt: at, ...(mine ? { assigneeLastSeenAt: at } : {}) })
    .where(whereId(v));
  return at;
}

/** Assigns an agent of the account (or unassigns with null); returns the agent, or null. */
export async function assignAgent(
  ctx: AgentContext,
  v: ConversationView,
  assigneeId: number | null,
): Promise<{ user: UserRow; membership: MembershipRow } | null> {
  let agent: { user: UserRow; membership: MembershipRow } | null = null;
  if (assigneeId !== null) {
    const [row] = await ctx.db
      .select({ user: prefixed(users, "u"), membership: prefixed(accountUsers, "m") })
      .from(accountUsers)
      .innerJoin(users, eq(users.id, accountUsers.userId))
      .where(and(eq(accountUsers.accountId, ctx.accountId), eq(accountUsers.userId, assigneeId)));
    if (!row) throw notFound("Agent");
    agent = row;
  }
  if ((agent?.user.id ?? null) !== v.conversation.assigneeId) {
    const by = actorName(ctx.actor);
    const text = !agent
      ? activityText.unassigned(by)
      : agent.user.id === ctx.actor.user.id
        ? activityText.selfAssigned(by)
        : activityText.assigned(availableName(agent.user), by);
    const at = Date.now();
    await write(ctx, [
      ctx.db
        .update(conversations)
        .set({ assigneeId: agent?.user.id ?? null, updatedAt: at })
        .where(whereId(v)),
      activityInsert(ctx.db, targetOf(ctx, v), text, at),
      ...updated(ctx, v, { assignee_id: change(v.conversation.assigneeId, agent?.user.id ?? null) }),
    ]);
    // The previous agent's capacity is free again.
    if (v.conversation.assigneeId && v.conversation.status === "open")
      await drainInbox(ctx.db, ctx.outbox, ctx.accountId, v.conversation.inboxId);
  }
  return agent;
}

/** Sets the team (0 or null clears it); returns the team, or null. */
export async function assignTeam(ctx: AgentContext, v: ConversationView, teamId: number | null) {
  let team: typeof teams.$inferSelect | null = null;
  if (teamId) {
    [team] = await ctx.db
      .select()
      .from(teams)
      .where(and(eq(teams.accountId, ctx.accountId), eq(teams.id, teamId)));
    if (!team) throw notFound("Team");
  }
  if ((team?.id ?? null) !== v.conversation.teamId) {
    const by = actorName(ctx.actor);
    const text = team ? activityText.teamAssigned(team.name, by) : activityText.teamRemoved(v.team?.name ?? "team", by);
    const at = Date.now();
    await write(ctx, [
      ctx.db
        .update(conversations)
        .set({ teamId: team?.id ?? null, updatedAt: at })
        .where(whereId(v)),
      activityInsert(ctx.db, targetOf(ctx, v), text, at),
      ...updated(ctx, v, { team_id: change(v.conversation.teamId, team?.id ?? null) }),
    ]);
  }
  return team;
}

/** Replaces the label set (Chatwoot's POST semantics); records what was added and removed. */
export async function setLabels(ctx: AgentContext, v: ConversationView, labels: string[]) {
  const next = [...new Set(labels.map((l) => l.trim()).filter(Boolean))];
  const previous = v.conversation.labels;
  const added = next.filter((l) => !previous.includes(l));
  const removed = previous.filter((l) => !next.includes(l));
  if (added.length === 0 && removed.length === 0) return next;
  const by = actorName(ctx.actor);
  const at = Date.now();
  const statements: BatchItem<"sqlite">[] = [
    ctx.db.update(conversations).set({ labels: next, updatedAt: at }).where(whereId(v)),
  ];
  if (removed.length)
    statements.push(
      ctx.db
        .delete(conversationLabels)
        .where(
          and(eq(conversationLabels.conversationId, v.conversation.id), inList(conversationLabels.label, removed)),
        ),
    );
  if (added.length) {
    statements.push(
      // The list is one JSON parameter: up to 50 labels × 3 columns would pass D1's 100 bound values.
      // (`where true` lets SQLite read the ON CONFLICT after a SELECT.)
      ctx.db
        .insert(conversationLabels)
        .select(
          sql`select ${v.conversation.id}, ${ctx.accountId}, value from json_each(${JSON.stringify(added)}) where true`,
        )
        .onConflictDoNothing(),
      activityInsert(ctx.db, targetOf(ctx, v), activityText.labelsAdded(added, by), at),
    );
  }
  if (removed.length)
    statements.push(activityInsert(ctx.db, targetOf(ctx, v), activityText.labelsRemoved(removed, by), at));
  statements.push(...updated(ctx, v, { label_list: change(previous, next) }));
  await write(ctx, statements);
  return next;
}

export async function setCustomAttributes(ctx: AgentContext, v: ConversationView, attributes: Record<string, unknown>) {
  if (JSON.stringify(attributes) === JSON.stringify(v.conversation.customAttributes)) return attributes;
  await write(ctx, [
    ctx.db.update(conversations).set({ customAttributes: attributes, updatedAt: Date.now() }).where(whereId(v)),
    ...updated(ctx, v, { custom_attributes: change(v.conversation.customAttributes, attributes) }),
  ]);
  return attributes;
}

export async function removeCustomAttributes(ctx: AgentContext, v: ConversationView, keys: string[]) {
  const next = Object.fromEntries(Object.entries(v.conversation.customAttributes).filter(([k]) => !keys.includes(k)));
  return setCustomAttributes(ctx, v, next);
}

/**
 * Typing indicators are not stored; they only travel as events (and their webhooks). `user` is
 * the typist as webhook bodies show it (`typingUser.agent` or `typingUser.contact`).
 */
export async function setTyping(
  ctx: ServiceContext,
  v: ConversationView,
  user: Record<string, unknown>,
  on: boolean,
  isPrivate: boolean,
) {
  await write(
    ctx,
    ctx.outbox.record({
      event: on ? "conversation_typing_on" : "conversation_typing_off",
      accountId: ctx.accountId,
      inboxId: v.conversation.inboxId,
      conversationId: v.conversation.id,
      private: isPrivate,
      data: { user, is_private: isPrivate },
    }),
  );
}
