import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zId } from "../../lib/zod";
import { ContactNote } from "../../serializers/contact-note";

export const NOTE_CONTENT_MAX = 10_000;

export const ContactNotesParams = accountChild("contact_id", "Contact id");
export const ContactNoteParams = ContactNotesParams.extend({
  id: zId.openapi({ param: { name: "id", in: "path" }, type: "integer", description: "Note id" }),
});

export const ContactNoteBody = z
  .object({
    content: z
      .string()
      .trim()
      .min(1, "can't be blank")
      .max(NOTE_CONTENT_MAX, `is too long (maximum is ${NOTE_CONTENT_MAX} characters)`)
      .describe("The note's text"),
  })
  .openapi("ContactNoteWrite");

export const ContactNoteList = z.array(ContactNote).openapi("ContactNoteList");
export { ContactNote };
