import { desc, eq, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import type { AppEnv } from "../../middleware/context";
import type { ConversationView } from "../../serializers/conversation";
import type { MessageWithSender } from "../../views/messages";
import { conversations } from "../../db/schema";
import { publicClient, type PublicLoad } from "../../middleware/public-client";
import { pathId } from "../../middleware/auth";
import { conversationViews } from "../../views/conversations";
import { sessionConversation, sessionConversationId, sessionId, toConversation } from "../../services/public-client";
import {
  conversationPage,
  latestMessagesOf,
  publicMessagePage,
  readConversationPage,
  readMessagePage,
  SHOW_EMBEDDED_MESSAGES,
  unreadAgentMessages,
} from "../../services/public-conversations";
import { contactMessageStatements, contactVisibleMessage, toContactMessage } from "../../services/public-messages";
import { insertedMessage } from "../../services/messages";
import { peekBody } from "../../lib/body";
import { PublicMessageCreate } from "./public.schemas";
import { readMessages } from "../../views/messages";

const positive = (raw: string | undefined) => (raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

export const withInbox = publicClient();
/** Contact show and update verify the session themselves (identifier_hash). */
export const withIdentifiedSession = publicClient({ session: true, identifies: true });

/** `c.var.page`: a page of the session's conversations, with their latest messages and the total. */
export const withConversationPage = publicClient({
  session: true,
  load: {
    queries: (c, ids) => [
      ...conversationPage(c.var.db, ids.identifier, ids.sourceId, positive(c.req.query("page")) ?? 1),
    ],
    apply: (rows) => ({ page: readConversationPage(rows) }),
  },
});

/** `c.var.latest`: the session's newest conversation, if it has one. */
export const withLatestConversation = publicClient({
  session: true,
  load: {
    queries: (c, ids) => [
      conversationViews(c.var.db, eq(conversations.contactInboxId, sessionId(ids.identifier, ids.sourceId)))
        .orderBy(desc(conversations.id))
        .limit(1),
    ],
    apply: ([latest]): { latest: ConversationView | null } => ({
      latest: (latest as unknown[]).length ? toConversation(latest) : null,
    }),
  },
});

/** The path's conversation of this session; 404 for any other. */
const conversation: PublicLoad<{ conversation: ConversationView }> = {
  queries: (c, ids) => [sessionConversation(c.var.db, ids.identifier, ids.sourceId, pathId(c, "conversation_id"))],
  apply: ([view]) => ({ conversation: toConversation(view) }),
};

/** `c.var.conversation`: the path's conversation of this session; 404 for any other. */
export const withConversation = publicClient({ session: true, load: conversation });

/**
 * Message create: the conversation, loaded as above, and the contact's message itself written in
 * the same batch (`contactMessageStatements`): one round trip for the request. `c.var.written` is
 * the message when it was written so; otherwise (files, a refusal, a repeated echo_id) the
 * handler writes it, or the route refuses, as usual.
 */
export const withConversationAndMessage = publicClient({
  session: true,
  load: {
    queries: conversation.queries,
    writes: async (c, ids) => {
      const input = await peekBody(c, PublicMessageCreate, "message");
      if (!input) return [];
      return contactMessageStatements(c.var.db, c.var.outbox, ids, pathId(c, "conversation_id"), input);
    },
    apply: (rows, written) => ({
      ...conversation.apply(rows),
      written: written ? insertedMessage(written) : undefined,
    }),
  },
});

/**
 * The path's conversation (404 unless it is this session's) and `extra`, read for it in the
 * same batch and turned into `c.var` values by `read`.
 */
function withConversationAnd<V extends object>(
  extra: (c: Context<AppEnv>, conversation: SQL) => BatchItem<"sqlite">,
  read: (rows: unknown) => V,
) {
  return publicClient({
    session: true,
    load: {
      queries: (c, ids) => {
        const displayId = pathId(c, "conversation_id");
        return [
          sessionConversation(c.var.db, ids.identifier, ids.sourceId, displayId),
          extra(c, sessionConversationId(ids, displayId)),
        ];
      },
      apply: ([view, rows]) => ({ conversation: toConversation(view), ...read(rows) }),
    },
  });
}

/** `c.var.messages`: the conversation's latest messages for the contact, oldest first. */
export const withShownConversation = withConversationAnd(
  (c, ref) => latestMessagesOf(c.var.db, ref, SHOW_EMBEDDED_MESSAGES),
  (rows) => ({ messages: readMessages(rows) }),
);
/** `c.var.unread`: the agent messages the contact has not seen. */
export const withUnread = withConversationAnd(
  (c, ref) => unreadAgentMessages(c.var.db, ref),
  (rows) => ({ unread: rows as { id: number }[] }),
);
/** `c.var.messages`: a page of the conversation's messages (`before` an id), oldest first. */
export const withMessagePage = withConversationAnd(
  (c, ref) => publicMessagePage(c.var.db, ref, positive(c.req.query("before"))),
  (rows) => ({ messages: readMessagePage(rows) }),
);
/** `c.var.message`: the path's message of the conversation, as the contact may see it; 404 otherwise. */
export const withMessage = withConversationAnd(
  (c, ref) => contactVisibleMessage(c.var.db, ref, pathId(c, "message_id")),
  (rows): { message: MessageWithSender } => ({ message: toContactMessage(rows) }),
);
