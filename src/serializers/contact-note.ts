import { z } from "@hono/zod-openapi";
import type { ContactNoteRow, MembershipRow, UserRow } from "../db/schema";
import { UnixTime } from "../lib/schemas";
import { unix } from "../lib/time";
import { Agent, agent } from "./user";

/** Chatwoot's note (`api/v1/models/_note`): its author as agent JSON, unix seconds. */
export const ContactNote = z
  .object({
    id: z.number().int(),
    content: z.string(),
    account_id: z.number().int(),
    contact_id: z.number().int(),
    user: Agent.nullable().describe("The author; null once they are no longer an agent of the account"),
    created_at: UnixTime,
    updated_at: UnixTime,
  })
  .openapi("ContactNote");

/** The note's author as the account knows them: their user and membership, or null when either is gone. */
export type NoteAuthor = { user: UserRow; membership: MembershipRow } | null;

export const contactNote = (n: ContactNoteRow, author: NoteAuthor): z.infer<typeof ContactNote> => ({
  id: n.id,
  content: n.content,
  account_id: n.accountId,
  contact_id: n.contactId,
  user: author ? agent(author.user, author.membership) : null,
  created_at: unix(n.createdAt)!,
  updated_at: unix(n.updatedAt)!,
});
