import { authenticate, type Load, pathId } from "../../middleware/auth";
import type { ConversationView } from "../../serializers/conversation";
import { conversationPreload, visibleConversation } from "../../services/conversations";
import { messagePreload, preloadedMessage } from "../../services/messages";
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

/** Message routes: also `c.var.message`, the path's message of that conversation. */
export const withMessage = authenticate({ account: true, load: conversationAndMessage });
