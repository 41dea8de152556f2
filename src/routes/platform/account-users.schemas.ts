import { z } from "@hono/zod-openapi";
import { ROLES } from "../../db/schema";
import { zId, zQuery } from "../../lib/zod";
import { AccountUser } from "../../serializers/account";

export const AccountUserCreateBody = z
  .object({ user_id: zId, role: z.enum(ROLES).default("agent") })
  .openapi("PlatformAccountUserCreate");

/** `user_id` here or in the query: some HTTP clients drop DELETE bodies. */
export const AccountUserDeleteBody = z.object({ user_id: zId.optional() }).openapi("PlatformAccountUserDelete");

/** Some HTTP clients drop DELETE bodies, so `user_id` may come in the query instead. */
export const AccountUserDeleteQuery = z.object({ user_id: zQuery(zId) });

export const AccountUserList = z.array(AccountUser).openapi("PlatformAccountUserList");
