import type { AccountRow } from "../db/schema";
import { z } from "@hono/zod-openapi";
import type { accountUsers } from "../db/schema";
import { unix } from "../lib/time";
import { Attributes, UnixTime } from "../lib/schemas";

type AccountUserRow = typeof accountUsers.$inferSelect;

export const Account = z
  .object({
    id: z.number().int(),
    name: z.string(),
    locale: z.string(),
    domain: z.string().nullable(),
    support_email: z.string().nullable(),
    status: z.enum(["active", "suspended"]),
    custom_attributes: Attributes,
    created_at: UnixTime,
  })
  .openapi("PlatformAccount");

/** An account as the Platform API shows it to the operator. */
export function account(a: AccountRow): z.infer<typeof Account> {
  return {
    id: a.id,
    name: a.name,
    locale: a.locale,
    domain: a.domain,
    support_email: a.supportEmail,
    status: a.status,
    custom_attributes: a.customAttributes,
    created_at: unix(a.createdAt)!,
  };
}

export const AccountUser = z
  .object({
    account_id: z.number().int(),
    user_id: z.number().int(),
    role: z.enum(["agent", "administrator"]),
  })
  .openapi("PlatformAccountUser");

export function accountUser(m: AccountUserRow): z.infer<typeof AccountUser> {
  return { account_id: m.accountId, user_id: m.userId, role: m.role };
}
