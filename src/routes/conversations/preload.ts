import { authenticate, pathId } from "../../middleware/auth";
import { conversationPreload } from "../../services/conversations";
import { messagePreload } from "../../services/messages";

/** Conversation routes load the conversation in the same D1 batch as the token check. */
export const withConversation = authenticate({
  account: true,
  preload: (c, callerId) =>
    conversationPreload(c.var.db, pathId(c, "account_id"), pathId(c, "conversation_id"), callerId),
});

/** Message routes also load the message named in the path. */
export const withMessage = authenticate({
  account: true,
  preload: (c, callerId) => {
    const [account, conversation] = [pathId(c, "account_id"), pathId(c, "conversation_id")];
    const [view, member] = conversationPreload(c.var.db, account, conversation, callerId);
    return [view, member, messagePreload(c.var.db, account, conversation, pathId(c, "message_id"))];
  },
});
