import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  accountUsers,
  agentBots,
  inboxes,
  conversationLabels,
  conversations,
  teams,
  users,
  type ConversationStatus,
  type Priority,
} from "../../db/schema";
import { inList, prefixed } from "../../db/select";
import { notFound, unprocessable } from "../../lib/errors";
import type { ConversationView } from "../../serializers/conversation";
import { availableName } from "../../serializers/user";
import { activityInsert, activityText } from "../activity";
import { actorName, type AgentContext, type ServiceContext } from "../context";
import { drainInbox, routeStatements } from "../routing";
import { surveyStatements } from "../csat";
import { participantInsert } from "../mentions";
import { notifyStatements } from "../notifications";
import type { AgentBotRow, MembershipRow, UserRow } from "../../db/schema";

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
    // Opened (the bot's hand-off, or an agent taking over): the bot lets go of it.
    const bot = v.conversation.assigneeAgentBotId;
    const released = next === "open" && bot !== null;
    if (released) changes.assignee_agent_bot_id = change(bot, null);
    await write(ctx, [
      ctx.db
        .update(conversations)
        .set({ status: next, snoozedUntil: until, updatedAt: at, ...(released ? { assigneeAgentBotId: null } : {}) })
        .where(whereId(v)),
      ...(next !== current ? [activityInsert(ctx.db, targetOf(ctx, v), activityText.status(next, by), at)] : []),
      // Chatwoot sends both; here both carry the real previous and current values.
      ...(next !== current ? updated(ctx, v, changes, "conversation_status_changed") : []),
      ...updated(ctx, v, changes),
      // Resolved: the inbox's CSAT survey, if it has them on and this conversation had none yet.
      ...(next === "resolved" && current !== "resolved"
        ? surveyStatements(ctx.db, ctx.outbox, targetOf(ctx, v), at)
        : []),
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
  // An agent assigned takes the conversation from the bot holding it.
  const released = agent !== null && v.conversation.assigneeAgentBotId !== null;
  if ((agent?.user.id ?? null) !== v.conversation.assigneeId || released) {
    const by = actorName(ctx.actor);
    const text = !agent
      ? activityText.unassigned(by)
      : agent.user.id === ctx.actor.user.id
        ? activityText.selfAssigned(by)
        : activityText.assigned(availableName(agent.user), by);
    const at = Date.now();
    const assigned = agent?.user.id;
    await write(ctx, [
      ctx.db
        .update(conversations)
        .set({ assigneeId: assigned ?? null, updatedAt: at, ...(released ? { assigneeAgentBotId: null } : {}) })
        .where(whereId(v)),
      activityInsert(ctx.db, targetOf(ctx, v), text, at),
      ...updated(ctx, v, {
        assignee_id: change(v.conversation.assigneeId, assigned ?? null),
        ...(released ? { assignee_agent_bot_id: change(v.conversation.assigneeAgentBotId, null) } : {}),
      }),
      // The assignee takes part from now on; someone else assigning them tells them so.
      ...(assigned ? [participantInsert(ctx.db, { ...targetOf(ctx, v), userId: assigned, at })] : []),
      ...(assigned && assigned !== ctx.actor.user.id
        ? notifyStatements(ctx.db, ctx.outbox, {
            accountId: ctx.accountId,
            recipient: assigned,
            type: "conversation_assignment",
            conversationId: v.conversation.id,
            actorId: ctx.actor.bot ? null : ctx.actor.user.id,
            at,
          })
        : []),
    ]);
    // The previous agent's capacity is free again.
    if (v.conversation.assigneeId && v.conversation.status === "open")
      await drainInbox(ctx.db, ctx.outbox, ctx.accountId, v.conversation.inboxId);
  }
  return agent;
}

/**
 * Hands the conversation to the agent bot attached to its inbox (Chatwoot's `assignee_type:
 * "AgentBot"`): it becomes pending, held by the bot and no agent; 404 for a bot the account may not
 * use, 422 for one not attached to the conversation's inbox (it could not see the conversation).
 */
export async function assignBot(ctx: AgentContext, v: ConversationView, botId: number | null): Promise<AgentBotRow> {
  if (botId === null)
    throw unprocessable("Validation failed: assignee_id: is required with assignee_type AgentBot", [
      { field: "assignee_id", message: "is required with assignee_type AgentBot" },
    ]);
  const [[bot], [attached]] = await ctx.db.batch([
    ctx.db
      .select()
      .from(agentBots)
      .where(and(eq(agentBots.id, botId), or(eq(agentBots.accountId, ctx.accountId), isNull(agentBots.accountId)))),
    ctx.db
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(and(eq(inboxes.id, v.conversation.inboxId), eq(inboxes.agentBotId, botId))),
  ]);
  if (!bot) throw notFound("Agent bot");
  if (!attached)
    throw unprocessable("The agent bot is not attached to the conversation's inbox", [
      { field: "assignee_id", message: "is not the inbox's agent bot" },
    ]);
  const c = v.conversation;
  if (c.assigneeAgentBotId === bot.id && c.status === "pending" && c.assigneeId === null) return bot;
  const at = Date.now();
  const changes: Change = { assignee_agent_bot_id: change(c.assigneeAgentBotId, bot.id) };
  if (c.assigneeId !== null) changes.assignee_id = change(c.assigneeId, null);
  if (c.status !== "pending") changes.status = change(c.status, "pending");
  await write(ctx, [
    ctx.db
      .update(conversations)
      .set({ assigneeAgentBotId: bot.id, assigneeId: null, status: "pending", snoozedUntil: null, updatedAt: at })
      .where(whereId(v)),
    activityInsert(ctx.db, targetOf(ctx, v), activityText.assigned(bot.name, actorName(ctx.actor)), at),
    ...(changes.status ? updated(ctx, v, changes, "conversation_status_changed") : []),
    ...updated(ctx, v, changes),
  ]);
  if (c.assigneeId && c.status === "open") await drainInbox(ctx.db, ctx.outbox, ctx.accountId, c.inboxId);
  return bot;
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
