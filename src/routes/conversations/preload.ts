import { authenticate, creationReads, type Load, pathId } from "../../middleware/auth";
import { peekBody } from "../../lib/body";
import { createReads } from "../../services/conversations";
import { ConversationCreateBody } from "./conversations.schemas";
import type { ConversationView } from "../../serializers/conversation";
import { conversationPreload, visibleConversation } from "../../services/conversations";
import {
  agentMessageStatements,
  type CreatedMessage,
  insertedMessage,
  messagePreload,
  preloadedMessage,
} from "../../services/messages";
import { MessageCreateBody } from "../messages/messages.schemas";
import type { MessageWithSender } from "../../views/messages";

/** The path's conversation, loaded with the token check; 404 unless the caller may see it. */
const conversation: Load<{ conversation: ConversationView }> = {
  queries: (c, callerId) =>
    conversationPreload(c.var.db, pathId(c, "account_id"), pathId(c, "conversation_id"), callerId),
  apply: (rows, principal) => ({ conversation: visibleConversation(principal, rows) }),
};

/** The conversation and the message named in the path, in the same batch; 404 for either. */
const conversationAndMessage: Load<{ conversation: ConversationView; message: MessageWithSender }> = {
  queries: (c, callerId) => {
    const [account, id] = [pathId(c, "account_id"), pathId(c, "conversation_id")];
    const [view, member] = conversationPreload(c.var.db, account, id, callerId);
    return [view, member, messagePreload(c.var.db, account, id, pathId(c, "message_id"))];
  },
  apply: (rows, principal) => ({
    conversation: visibleConversation(principal, rows.slice(0, 2)),
    message: preloadedMessage(rows[2]),
  }),
};

/** Conversation routes: `c.var.conversation` is the path's conversation, visible to the caller. */
export const withConversation = authenticate({ account: true, load: conversation });

/**
 * The same, for the routes Chatwoot opens to agent bots (BOT_ACCESSIBLE_ENDPOINTS): a bot's token
 * is accepted too, for conversations of the inboxes it is attached to.
 */
export const withConversationForBots = authenticate({ account: true, load: conversation, bots: true });

/** Conversation create: `c.var.creationReads`, what the service reads first, read with the token check. */
export const withCreationReads = authenticate({
  account: true,
  load: creationReads(ConversationCreateBody, "conversation", (c, callerId, input) =>
    createReads(c.var.db, pathId(c, "account_id"), callerId, input),
  ),
});

/**
 * Message create: the conversation, loaded as above, and the agent's message itself written in
 * the same batch as the token check (`agentMessageStatements`): one round trip for the request.
 * `c.var.written` is the message when it was written so; otherwise (files, an incoming message, a
 * refusal, a repeated echo_id) the handler writes it, or the route refuses, as usual.
 */
const conversationAndReply: Load<{ conversation: ConversationView; written: CreatedMessage | undefined }> = {
  queries: conversation.queries,
  writes: async (c, callerId) => {
    const input = await peekBody(c, MessageCreateBody, "message");
    if (!input) return [];
    return agentMessageStatements(
      c.var.db,
      c.var.outbox,
      pathId(c, "account_id"),
      pathId(c, "conversation_id"),
      callerId,
      input,
    );
  },
  apply: (rows, principal, written) => ({
    ...conversation.apply(rows, principal),
    written: written ? insertedMessage(written) : undefined,
  }),
};

/**
 * Message create: `c.var.conversation`, and `c.var.written` when the message was written with the
 * token check. An agent bot may post too (its message is written by the handler).
 */
export const withConversationAndReply = authenticate({ account: true, load: conversationAndReply, bots: true });

/** Message routes: also `c.var.message`, the path's message of that conversation. */
export const withMessage = authenticate({ account: true, load: conversationAndMessage });
