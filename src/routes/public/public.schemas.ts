import { z } from "@hono/zod-openapi";
import { zId, zJsonObject, zKey, zPage, zQuery } from "../../lib/zod";
import { takesFiles } from "../../lib/body";
import { AttachmentRefs, MAX_CONTENT } from "../messages/messages.schemas";
import { ContactFields } from "../contacts/contacts.schemas";

const text = (max: number) => z.string().trim().max(max);
const pathText = (name: string, description: string) => zKey().openapi({ param: { name, in: "path" }, description });

export const InboxParams = z.object({
  inbox_identifier: pathText("inbox_identifier", "The API inbox's identifier (inbox settings)"),
});
export const SessionParams = InboxParams.extend({
  source_id: pathText("source_id", "The contact's session id in this inbox (contact create returns it)"),
});
export const PublicConversationParams = SessionParams.extend({
  conversation_id: zId.openapi({
    param: { name: "conversation_id", in: "path" },
    type: "integer",
    description: "Conversation display id",
  }),
});
export const PublicMessageParams = PublicConversationParams.extend({
  message_id: zId.openapi({ param: { name: "message_id", in: "path" }, type: "integer" }),
});

const identity = {
  identifier: zKey().optional().describe("Your stable id for this user: a returning user lands on the same contact"),
  identifier_hash: z
    .string()
    .trim()
    .max(128)
    .optional()
    .describe("hex(HMAC-SHA256(inbox hmac_token, identifier)); required when the inbox has hmac_mandatory"),
};

const contactFields = ContactFields.pick({ email: true, phone_number: true, avatar_url: true }).extend({
  name: text(255).optional(),
  custom_attributes: zJsonObject.optional(),
});

export const PublicContactCreate = contactFields
  .extend({ ...identity, source_id: zKey().optional().describe("Reuse or choose the session id (default: a UUID)") })
  .openapi("PublicContactCreate");

export const PublicContactUpdate = contactFields.extend(identity).openapi("PublicContactUpdate");

export const IdentityQuery = z.object({
  identifier: zQuery(zKey()),
  identifier_hash: zQuery(z.string().trim().max(128)),
});

export const PublicConversationCreate = z
  .object({ custom_attributes: zJsonObject.optional() })
  .openapi("PublicConversationCreate");

export const ConversationListQuery = z.object({
  page: zPage.describe("25 conversations a page, latest activity first"),
});

export const TypingBody = z.object({ typing_status: z.enum(["on", "off"]) }).openapi("PublicTyping");

export const PublicMessageCreate = z
  .object({
    content: z
      .string()
      .max(MAX_CONTENT, `Content is too long (maximum is ${MAX_CONTENT} characters)`)
      .nullable()
      .optional(),
    echo_id: zKey().optional().describe("Your id for this message: a repeat returns the message already stored"),
    attachments: AttachmentRefs.optional(),
  })
  .superRefine((m, ctx) => {
    if (!(typeof m.content === "string" && m.content.trim() !== "") && !m.attachments?.length)
      ctx.addIssue({ code: "custom", path: ["content"], message: "can't be blank" });
  })
  .openapi("PublicMessageCreate");
takesFiles(PublicMessageCreate);

export const MessageListQuery = z.object({ before: zQuery(zId).describe("20 messages older than this message id") });

export const SubmittedValuesBody = z
  .object({
    submitted_values: z.union([z.array(z.unknown()).max(100), zJsonObject]),
    csat_survey_response: z
      .object({
        rating: z.number().int().min(1).max(5).optional(),
        feedback_message: z.string().max(10_000).optional(),
      })
      .optional(),
  })
  .openapi("PublicMessageUpdate");
