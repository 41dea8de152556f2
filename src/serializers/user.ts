import { z } from "@hono/zod-openapi";
import { Attributes } from "../lib/schemas";
import type { AccountRow, MembershipRow, UserRow } from "../db/schema";

export const availableName = (u: Pick<UserRow, "name" | "displayName">) => u.displayName || u.name;

export const UserPushData = z
  .object({
    id: z.number().int(),
    name: z.string(),
    available_name: z.string(),
    avatar_url: z.string(),
    type: z.literal("user"),
    availability_status: z.string(),
    thumbnail: z.string(),
  })
  .openapi("UserSummary");

/**
 * The user columns a sender or assignee shows: what conversation and message JSON, and webhook
 * bodies (the e-mail), read of a user; never the password hash or pubsub token.
 */
export const USER_SUMMARY = ["id", "name", "displayName", "email", "avatarUrl"] as const;
export type UserSummary = Pick<UserRow, (typeof USER_SUMMARY)[number]>;

/** The short form of an agent inside messages and conversations (Chatwoot's push_event_data). */
export function userPushData(u: UserSummary, availability?: string | null): z.infer<typeof UserPushData> {
  return {
    id: u.id,
    name: u.name,
    available_name: availableName(u),
    avatar_url: u.avatarUrl ?? "",
    type: "user",
    availability_status: availability ?? "offline",
    thumbnail: u.avatarUrl ?? "",
  };
}

export const Agent = z
  .object({
    id: z.number().int(),
    account_id: z.number().int(),
    availability_status: z.enum(["online", "busy", "offline"]),
    auto_offline: z.boolean(),
    confirmed: z.boolean(),
    email: z.string(),
    provider: z.string(),
    available_name: z.string(),
    custom_attributes: Attributes,
    name: z.string(),
    role: z.enum(["agent", "administrator"]),
    thumbnail: z.string(),
  })
  .openapi("Agent");

export function agent(u: UserRow, m: MembershipRow): z.infer<typeof Agent> {
  return {
    id: u.id,
    account_id: m.accountId,
    availability_status: m.availability,
    auto_offline: m.autoOffline,
    confirmed: true,
    email: u.email,
    provider: "email",
    available_name: availableName(u),
    custom_attributes: u.customAttributes,
    name: u.name,
    role: m.role,
    thumbnail: u.avatarUrl ?? "",
  };
}

export const ProfileAccount = z.object({
  id: z.number().int(),
  name: z.string(),
  status: z.string(),
  role: z.enum(["agent", "administrator"]),
  availability: z.enum(["online", "busy", "offline"]),
  availability_status: z.enum(["online", "busy", "offline"]),
  auto_offline: z.boolean(),
  active_at: z.string().nullable(),
  api_and_webhooks: z.boolean(),
});

export const Profile = z
  .object({
    id: z.number().int(),
    access_token: z.string().describe("Shown to the token's owner only"),
    account_id: z.number().int().nullable(),
    available_name: z.string(),
    avatar_url: z.string(),
    confirmed: z.boolean(),
    display_name: z.string().nullable(),
    message_signature: z.string().nullable(),
    email: z.string(),
    name: z.string(),
    provider: z.string(),
    pubsub_token: z.string(),
    custom_attributes: Attributes,
    ui_settings: Attributes,
    role: z.enum(["agent", "administrator"]).nullable(),
    uid: z.string(),
    type: z.string(),
    accounts: z.array(ProfileAccount),
  })
  .openapi("Profile");

export type Membership = { account: AccountRow; membership: MembershipRow };

/** The caller's own profile. `token` is only ever the caller's own token. */
export function profile(u: UserRow, token: string, memberships: Membership[]): z.infer<typeof Profile> {
  const first = memberships[0];
  return {
    id: u.id,
    access_token: token,
    account_id: first?.account.id ?? null,
    available_name: availableName(u),
    avatar_url: u.avatarUrl ?? "",
    confirmed: true,
    display_name: u.displayName,
    message_signature: u.messageSignature,
    email: u.email,
    name: u.name,
    provider: "email",
    pubsub_token: u.pubsubToken,
    custom_attributes: u.customAttributes,
    ui_settings: u.uiSettings,
    role: first?.membership.role ?? null,
    uid: u.email,
    type: "user",
    accounts: memberships.map(({ account, membership }) => ({
      id: account.id,
      name: account.name,
      status: account.status,
      role: membership.role,
      availability: membership.availability,
      availability_status: membership.availability,
      auto_offline: membership.autoOffline,
      active_at: null,
      api_and_webhooks: true,
    })),
  };
}
