import { z } from "@hono/zod-openapi";
import { unix } from "../lib/time";
import { Attributes, UnixTime } from "../lib/schemas";
import { availableName } from "./user";
import type { UserRow } from "../db/schema";

export const PlatformUser = z
  .object({
    id: z.number().int(),
    name: z.string(),
    display_name: z.string().nullable(),
    email: z.string(),
    available_name: z.string(),
    avatar_url: z.string(),
    message_signature: z.string().nullable(),
    custom_attributes: Attributes,
    confirmed: z.boolean(),
    provider: z.string(),
    uid: z.string(),
    type: z.string(),
    pubsub_token: z.string(),
    created_at: UnixTime,
    access_token: z
      .string()
      .optional()
      .describe(
        "The user's API access token. Present only in the response that creates the user: Konversio stores access " +
          "tokens as SHA-256 hashes, so no later response can show it.",
      ),
  })
  .openapi("PlatformUser");

/** A user as the Platform API shows it. `token` is passed only when the user was just created. */
export function platformUser(u: UserRow, token?: string): z.infer<typeof PlatformUser> {
  return {
    id: u.id,
    name: u.name,
    display_name: u.displayName,
    email: u.email,
    available_name: availableName(u),
    avatar_url: u.avatarUrl ?? "",
    message_signature: u.messageSignature,
    custom_attributes: u.customAttributes,
    confirmed: true,
    provider: "email",
    uid: u.email,
    type: "user",
    pubsub_token: u.pubsubToken,
    created_at: unix(u.createdAt)!,
    ...(token ? { access_token: token } : {}),
  };
}
