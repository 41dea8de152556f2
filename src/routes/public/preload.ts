import { desc, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import type { AppEnv } from "../../middleware/context";
import { conversations } from "../../db/schema";
import { publicClient } from "../../middleware/public-client";
import { pathId } from "../../middleware/auth";
import { conversationViews } from "../../views/conversations";
import { sessionConversation, sessionId } from "../../services/public-client";
import {
  conversationPage,
  latestMessagesOf,
  publicMessagePage,
  SHOW_EMBEDDED_MESSAGES,
  unreadAgentMessages,
} from "../../services/public-conversations";
import { contactVisibleMessage } from "../../services/public-messages";

type Ids = { identifier: string; sourceId: string };

/** The path's conversation, as an id subquery scoped to the caller's session. */
const conversationRef = (ids: Ids, displayId: number) =>
  sql`(select id from ${conversations}
    where ${conversations.contactInboxId} = ${sessionId(ids.identifier, ids.sourceId)}
    and ${conversations.displayId} = ${displayId})`;

const positive = (raw: string | undefined) => (raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

export const withInbox = publicClient();
/** Contact show and update verify the session themselves (identifier_hash). */
export const withIdentifiedSession = publicClient({ session: true, identifies: true });

export const withConversationPage = publicClient({
  session: true,
  preload: (c, ids) => [
    ...conversationPage(c.var.db, ids.identifier, ids.sourceId, positive(c.req.query("page")) ?? 1),
  ],
});

export const withLatestConversation = publicClient({
  session: true,
  preload: (c, ids) => [
    conversationViews(c.var.db, eq(conversations.contactInboxId, sessionId(ids.identifier, ids.sourceId)))
      .orderBy(desc(conversations.id))
      .limit(1),
  ],
});

export const withConversation = publicClient({
  session: true,
  preload: (c, ids) => [sessionConversation(c.var.db, ids.identifier, ids.sourceId, pathId(c, "conversation_id"))],
});

/** A conversation route that also reads `extra` for the path's conversation, in the same batch. */
const withConversationAnd = (extra: (c: Context<AppEnv>, conversation: SQL) => BatchItem<"sqlite">) =>
  publicClient({
    session: true,
    preload: (c, ids) => {
      const displayId = pathId(c, "conversation_id");
      return [
        sessionConversation(c.var.db, ids.identifier, ids.sourceId, displayId),
        extra(c, conversationRef(ids, displayId)),
      ];
    },
  });

export const withShownConversation = withConversationAnd((c, ref) =>
  latestMessagesOf(c.var.db, ref, SHOW_EMBEDDED_MESSAGES),
);
export const withUnread = withConversationAnd((c, ref) => unreadAgentMessages(c.var.db, ref));
export const withMessagePage = withConversationAnd((c, ref) =>
  publicMessagePage(c.var.db, ref, positive(c.req.query("before"))),
);
export const withMessage = withConversationAnd((c, ref) =>
  contactVisibleMessage(c.var.db, ref, pathId(c, "message_id")),
);
