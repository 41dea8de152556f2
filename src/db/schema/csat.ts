import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";
import { accounts } from "./accounts";
import { contacts } from "./contacts";
import { conversations } from "./conversations";
import { inboxes } from "./inboxes";
import { messages } from "./messages";
import { users } from "./users";

/** An end user's answer to a conversation's `input_csat` message: one per survey message. */
export const csatSurveyResponses = sqliteTable(
  "csat_survey_responses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    inboxId: integer("inbox_id")
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    messageId: integer("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    /** The conversation's assignee when it was resolved. */
    assignedAgentId: integer("assigned_agent_id").references(() => users.id, { onDelete: "set null" }),
    rating: integer("rating").notNull(),
    feedbackMessage: text("feedback_message"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("csat_survey_responses_message_uq").on(t.messageId),
    index("csat_survey_responses_account_created_idx").on(t.accountId, t.createdAt),
  ],
);

export type CsatSurveyResponseRow = typeof csatSurveyResponses.$inferSelect;
