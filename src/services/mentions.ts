import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DB } from "../db/client";
import { conversationParticipants, mentions, notifications } from "../db/schema";
import type { Outbox } from "../events/outbox";
import { mentionedUserIds } from "../lib/mentions";
import { newestNotification, notificationEvent } from "./notifications";

type Ref = number | SQL;

/** Where an agent's message lands: ids, or subqueries the batch resolves (the one-round-trip write). */
export type AgentMessageTarget = {
  accountId: number;
  inboxId: Ref;
  conversationId: Ref;
  /** The message just inserted (a subquery). */
  messageId: Ref;
  /** Its author: a user id, or the credential's user as a subquery. */
  authorId: Ref;
};

/**
 * Makes `userId` a participant of the conversation (`conversation_type=participating`) if they
 * are a member of the account (a bot's stand-in, user 0, is not); nothing if they already are.
 */
export function participantInsert(db: DB, t: { accountId: number; conversationId: Ref; userId: Ref; at: number }) {
  // Every column in table order (drizzle's insert-select lists them all); the `where` lets SQLite
  // read the ON CONFLICT.
  return db
    .insert(conversationParticipants)
    .select(sql`select null, ${t.accountId}, ${t.conversationId}, au.user_id, ${t.at} from account_users au
      where au.account_id = ${t.accountId} and au.user_id = ${t.userId} and true`)
    .onConflictDoNothing();
}

/**
 * The agents of the account among `ids` who may see the conversation's inbox (administrators, and
 * the inbox's members): an id of anyone else selects nothing.
 */
const mentionable = (t: AgentMessageTarget, ids: number[]) => sql`select au.user_id as user_id from account_users au
  where au.account_id = ${t.accountId} and au.user_id in (select value from json_each(${JSON.stringify(ids)}))
    and (au.role = 'administrator' or exists (select 1 from inbox_members im
      where im.user_id = au.user_id and im.inbox_id = ${t.inboxId}))`;

/**
 * What an agent's message does besides itself, for the batch that writes it: its author takes
 * part in the conversation; a private note that mentions agents (Chatwoot's
 * `[@Name](mention://user/<id>/<name>)`) records each mention (`conversation_type=mention`),
 * makes them participants, and notifies each but the author (`conversation_mention`, with
 * `notification.created` to their sockets). Who may be mentioned is decided in SQL when the batch
 * runs (`mentionable`); the ids only come from the content.
 */
export function agentMessageEffects(
  db: DB,
  outbox: Outbox,
  t: AgentMessageTarget,
  input: { content?: string | null; private?: boolean },
  at = Date.now(),
): BatchItem<"sqlite">[] {
  const statements: BatchItem<"sqlite">[] = [
    participantInsert(db, { accountId: t.accountId, conversationId: t.conversationId, userId: t.authorId, at }),
  ];
  const ids = input.private ? mentionedUserIds(input.content) : [];
  if (ids.length === 0) return statements;
  const each = mentionable(t, ids);
  statements.push(
    db
      .insert(mentions)
      .select(sql`select null, ${t.accountId}, ${t.conversationId}, user_id, ${at} from (${each}) where true`)
      .onConflictDoUpdate({
        target: [mentions.conversationId, mentions.userId],
        set: { mentionedAt: sql`excluded.mentioned_at` },
      }),
    db
      .insert(conversationParticipants)
      .select(sql`select null, ${t.accountId}, ${t.conversationId}, user_id, ${at} from (${each}) where true`)
      .onConflictDoNothing(),
    // Every notifications column in table order.
    db
      .insert(notifications)
      .select(sql`select null, ${t.accountId}, user_id, 'conversation_mention', ${t.conversationId}, ${t.messageId},
        ${t.authorId}, null, null, ${at}, ${at} from (${each}) where user_id is not ${t.authorId}`),
  );
  for (const id of ids) {
    const newest = newestNotification(id, t.accountId);
    statements.push(
      ...notificationEvent(
        outbox,
        "notification_created",
        {
          accountId: t.accountId,
          recipient: id,
          conversationId: t.conversationId,
          messageId: t.messageId,
          id: newest,
          // Recorded only for an agent the note did notify.
          when: sql`exists (select 1 from notifications where id = ${newest} and message_id = ${t.messageId}
            and notification_type = 'conversation_mention')`,
        },
        at,
      ),
    );
  }
  return statements;
}
