import { sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { accountUsers, conversationParticipants, conversations, messages, type STRATEGIES } from "../db/schema";
import { uuid } from "../lib/crypto";
import { precompiled } from "../db/select";
import type { Outbox } from "../events/outbox";
import type { DB } from "../db/client";

/** Who Chatwoot names as the actor of automatic changes. */
export const AUTOMATION = "Automation System";

export type Strategy = (typeof STRATEGIES)[number];

const openIn = (agent: SQL) =>
  sql`(select count(*) from conversations c2 where c2.inbox_id = i.id and c2.assignee_id = ${agent}
    and c2.status = 'open')`;

/**
 * The agent this conversation (the row being updated) should go to, or null: an online member
 * of its inbox, of its team when the team routes automatically, under the inbox's limit of
 * open conversations; `balanced` picks the fewest open, `round_robin` ignores load; either
 * way ties go to whoever waited longest since their last assignment.
 */
const candidateSource = sql`(
  select au.user_id from account_users au
  join inbox_members im on im.user_id = au.user_id and im.inbox_id = conversations.inbox_id
  join inboxes i on i.id = conversations.inbox_id
  where au.account_id = conversations.account_id and au.availability = 'online'
    and (conversations.team_id is null
      or coalesce((select t.allow_auto_assign from teams t where t.id = conversations.team_id), 0) = 0
      or au.user_id in (select tm.user_id from team_members tm where tm.team_id = conversations.team_id))
    and (json_extract(i.auto_assignment_config, '$.max_assignment_limit') is null
      or ${openIn(sql`au.user_id`)} < json_extract(i.auto_assignment_config, '$.max_assignment_limit'))
  order by
    case when json_extract(i.auto_assignment_config, '$.strategy') = 'round_robin' then 0
      else ${openIn(sql`au.user_id`)} end,
    coalesce(au.last_assigned_at, 0), au.user_id
  limit 1)`;
const candidate = precompiled(candidateSource);

export type RouteTarget = {
  accountId: number | SQL;
  inboxId: number | SQL;
  /** The conversation's id, or a subquery (a conversation created in the same batch, the oldest waiting…). */
  conversation: number | SQL;
  /**
   * A returning contact's conversation, decided when the batch runs: routed if the agent holding
   * it is not online (and the inbox reassigns from offline agents), or, when nobody holds it,
   * only if `reopened` holds. Without it, only a conversation nobody holds is routed.
   */
  returningContact?: { reopened: SQL };
  /** Route only if this holds when the batch runs (the snooze wake-up: "this batch woke it"). */
  when?: SQL;
};

/** Which conversations (the row being updated) `t` routes, by who holds them. */
function heldBy(t: RouteTarget): SQL {
  if (!t.returningContact) return sql`conversations.assignee_id is null`;
  return sql`((conversations.assignee_id is null and ${t.returningContact.reopened})
    or (conversations.assignee_id is not null
      and (select reassign_when_offline from inboxes where id = conversations.inbox_id) = 1
      and coalesce((select availability from account_users where account_id = conversations.account_id
        and user_id = conversations.assignee_id), 'offline') <> 'online'))`;
}

/**
 * Statements that route one conversation, for the batch of the change that calls for it. The
 * choice and the write are one UPDATE, so concurrent routing can neither exceed a limit nor
 * assign twice. Only if it assigned someone do the rest apply: the agent's last-assignment
 * time, their participation, Chatwoot's activity message and `conversation_updated`. The row is marked by its
 * `routing_token`: this routing's token, `|`, and the previous assignee (SET reads the row as
 * it was), which the event reports as `previous_value`.
 */
export function routeStatements(db: DB, outbox: Outbox | null, t: RouteTarget, at = Date.now()): BatchItem<"sqlite">[] {
  const token = uuid();
  // The token is hex and dashes: every value it marks sorts in [token|, token}).
  const marked = (column: SQL) => sql`${column} >= ${`${token}|`} and ${column} < ${`${token}}`}`;
  const mine = marked(sql`routing_token`);
  const assigned = sql`(select id from conversations where ${mine})`;
  const statements: BatchItem<"sqlite">[] = [
    db
      .update(conversations)
      .set({
        assigneeId: candidate as unknown as number,
        routingToken: sql`${`${token}|`} || coalesce(conversations.assignee_id, '')` as unknown as string,
        updatedAt: at,
      })
      .where(
        sql`conversations.id = ${t.conversation} and conversations.status = 'open' and ${heldBy(t)}
          and (select enable_auto_assignment from inboxes where id = conversations.inbox_id) = 1
          and ${t.when ?? sql`1`} and ${candidate} is not null`,
      )
      .returning({ id: conversations.id, assigneeId: conversations.assigneeId }),
    db
      .update(accountUsers)
      .set({ lastAssignedAt: at })
      .where(
        sql`(${accountUsers.accountId}, ${accountUsers.userId}) =
          (select account_id, assignee_id from conversations where ${mine})`,
      ),
    // Every messages column in table order (drizzle's insert-select lists them all).
    db.insert(messages).select(sql`select null, c.account_id, c.inbox_id, c.id,
        'Assigned to ' || coalesce(nullif(u.display_name, ''), u.name) || ' by ' || ${AUTOMATION},
        'activity', 'text', '{}', '{}', 0, 'sent', null, null, null, null, ${at}, ${at}
      from conversations c join users u on u.id = c.assignee_id where ${marked(sql`c.routing_token`)}`),
    // The agent routed to takes part in the conversation (`conversation_type=participating`).
    db
      .insert(conversationParticipants)
      .select(sql`select null, c.account_id, c.id, c.assignee_id, ${at} from conversations c
        where ${marked(sql`c.routing_token`)}`)
      .onConflictDoNothing(),
  ];
  if (outbox) {
    statements.push(
      ...outbox.record({
        event: "conversation_updated",
        accountId: t.accountId,
        inboxId: t.inboxId,
        conversationId: assigned,
        when: sql`exists (select 1 from conversations where ${mine})`,
        dataSql: sql`(select json_object('changed_attributes', json_array(json_object('assignee_id',
          json_object('previous_value', cast(nullif(substr(routing_token, ${token.length + 2}), '') as integer),
            'current_value', assignee_id))))
            from conversations where ${mine})`,
      }),
    );
  }
  return statements;
}

/** The inbox's oldest-waiting open, unassigned conversation (a subquery). */
const oldestWaiting = (inboxId: number) =>
  sql`(select id from conversations where inbox_id = ${inboxId} and status = 'open' and assignee_id is null
    order by coalesce(waiting_since, created_at), id limit 1)`;

/**
 * Hands the inbox's unassigned backlog, oldest waiting first, to agents with capacity, one
 * atomic assignment per round trip, until nobody can take more (or `max` were assigned).
 */
export async function drainInbox(db: DB, outbox: Outbox | null, accountId: number, inboxId: number, max = 50) {
  let assigned = 0;
  while (assigned < max) {
    const [routed] = (await db.batch(
      routeStatements(db, outbox, { accountId, inboxId, conversation: oldestWaiting(inboxId) }) as [
        BatchItem<"sqlite">,
      ],
    )) as [{ id: number }[]];
    if (routed.length === 0) break;
    assigned++;
  }
  return assigned;
}

/** Drains every inbox of the account that the agent belongs to (they just came online). */
export async function drainForAgent(db: DB, outbox: Outbox | null, accountId: number, userId: number) {
  const rows = await db.all<{ inbox_id: number }>(
    sql`select im.inbox_id from inbox_members im join inboxes i on i.id = im.inbox_id
        where im.user_id = ${userId} and i.account_id = ${accountId} and i.enable_auto_assignment = 1`,
  );
  let total = 0;
  for (const r of rows) total += await drainInbox(db, outbox, accountId, r.inbox_id);
  return total;
}

/** The cron's routing pass: every inbox with an unassigned backlog (a bounded number per run). */
export async function drainAll(db: DB, outbox: Outbox | null, limit = 100) {
  const rows = await db.all<{ account_id: number; inbox_id: number }>(
    sql`select distinct c.account_id, c.inbox_id from conversations c join inboxes i on i.id = c.inbox_id
        where c.status = 'open' and c.assignee_id is null and i.enable_auto_assignment = 1 limit ${limit}`,
  );
  let total = 0;
  for (const r of rows) total += await drainInbox(db, outbox, r.account_id, r.inbox_id);
  return total;
}

/** What an operator sees of an inbox's routing: each member's load and the unassigned backlog. */
export async function routingSummary(db: DB, accountId: number, inboxId: number) {
  // Raw statements with parameters cannot join a drizzle batch; these two run side by side.
  const [members, backlog] = await Promise.all([
    db.all<{ id: number; name: string; availability: string; open_count: number; last_assigned_at: number | null }>(
      sql`select u.id, coalesce(nullif(u.display_name, ''), u.name) as name, au.availability,
          (select count(*) from conversations c where c.inbox_id = ${inboxId} and c.assignee_id = u.id
            and c.status = 'open') as open_count,
          au.last_assigned_at
        from inbox_members im join users u on u.id = im.user_id
        join account_users au on au.user_id = u.id and au.account_id = ${accountId}
        where im.inbox_id = ${inboxId} order by u.id`,
    ),
    db.all<{ unassigned: number; oldest: number | null }>(
      sql`select count(*) as unassigned, min(coalesce(waiting_since, created_at)) as oldest from conversations
        where inbox_id = ${inboxId} and status = 'open' and assignee_id is null`,
    ),
  ]);
  return { members, backlog: backlog[0] };
}
