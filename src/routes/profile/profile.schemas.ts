import { z } from "@hono/zod-openapi";
import { AVAILABILITIES } from "../../db/schema";
import { zBool, zId, zJsonObject, zKey } from "../../lib/zod";
import { ContactFields } from "../contacts/contacts.schemas";
import { Contact } from "../../serializers/contact";

const text = (max: number) => z.string().trim().max(max);
/** Form clients send an empty field for "not changing it". */
const blankIsAbsent = <T extends z.ZodType>(schema: T) => schema.or(z.literal("").transform(() => undefined));
const blankIsNull = <T extends z.ZodType>(schema: T) => schema.or(z.literal("").transform(() => null));

export const ProfileUpdateBody = z
  .object({
    name: text(255).min(1).optional(),
    display_name: text(255)
      .nullable()
      .transform((v) => v || null)
      .optional(),
    email: z.email().max(255).optional(),
    message_signature: z.string().max(10_000).nullable().optional(),
    avatar_url: blankIsNull(z.url().max(2048).nullable()).optional(),
    phone_number: text(32)
      .nullable()
      .transform((v) => v || null)
      .optional()
      .describe("Stored in custom_attributes, as Chatwoot does"),
    ui_settings: zJsonObject.optional().describe("Merged into the stored settings"),
    custom_attributes: zJsonObject.optional().describe("Merged into the stored attributes"),
    current_password: z.string().max(128).optional().describe("Required to change the password"),
    password: blankIsAbsent(z.string().min(8).max(128)).optional(),
    password_confirmation: z.string().max(128).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.password !== undefined && v.password_confirmation !== v.password)
      ctx.addIssue({ code: "custom", path: ["password_confirmation"], message: "doesn't match password" });
  })
  .openapi("ProfileUpdate");

export const AvailabilityBody = z
  .object({ account_id: zId, availability: z.enum(AVAILABILITIES) })
  .openapi("ProfileAvailability");

export const AutoOfflineBody = z.object({ account_id: zId, auto_offline: zBool }).openapi("ProfileAutoOffline");

export const ContactProfileBody = ContactFields.extend({
  inbox_identifier: zKey(64).describe("The API inbox's identifier"),
  identifier: zKey().describe("Your own stable id for the user"),
  identifier_hash: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters")
    .optional()
    .describe("hex(HMAC-SHA256(inbox hmac_token, identifier)); required when the inbox's hmac_mandatory is set"),
}).openapi("ContactProfileCreate");

export const ContactProfile = Contact.extend({
  source_id: z.string(),
  pubsub_token: z.string().describe("Subscribes the contact's app to its realtime events"),
  hmac_verified: z.boolean(),
  inbox_identifier: z.string(),
}).openapi("ContactProfile");
