import { and, sql, type SQL } from "drizzle-orm";
import { inboxMembers } from "../../db/schema";
import { notFound } from "../../lib/errors";
import type { ConversationView } from "../../serializers/conversation";
import { botSeesInbox, isAdmin, type Principal, viewerOf } from "../auth";
import {
  byDisplayId,
  conversationViews,
  toView,
  conversationsVisibleTo,
  type ConversationViewRow,
} from "../../views/conversations";
import type { DB } from "../../db/client";
import type { AgentContext } from "../context";

/** Preload for conversation routes: the conversation and whether the caller is a member of its inbox. */
export function conversationPreload(db: DB, accountId: number, displayId: number, callerId: SQL) {
  const view = conversationViews(db, byDisplayId(accountId, displayId));
  const member = db
    .select({ member: sql<number>`1` })
    .from(inboxMembers)
    .where(
      sql`${inboxMembers.userId} = ${callerId}
          and ${inboxMembers.inboxId} = (select inbox_id from conversations where account_id = ${accountId}
            and display_id = ${displayId})`,
    );
  return [view, member] as [typeof view, typeof member];
}

/**
 * The preloaded conversation, if the caller may see it (an administrator, a member of its inbox, or
 * a bot attached to its inbox); otherwise 404, as if it did not exist.
 */
export function visibleConversation(principal: Principal, preload: unknown): ConversationView {
  const [views, member] = preload as [ConversationViewRow[], { member: number }[]];
  const view = views[0];
  if (!view) throw notFound("Conversation");
  const inbox = view.conversation.inboxId;
  if (principal.bot ? !botSeesInbox(principal, inbox) : !isAdmin(principal) && !member[0])
    throw notFound("Conversation");
  return toView(view);
}

export async function findConversation(ctx: AgentContext, displayId: number): Promise<ConversationView> {
  const [row] = await conversationViews(
    ctx.db,
    and(byDisplayId(ctx.accountId, displayId), conversationsVisibleTo(viewerOf(ctx.actor))),
  );
  if (!row) throw notFound("Conversation");
  return toView(row);
}
