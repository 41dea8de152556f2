import type { TeamRow } from "../db/schema";
import { z } from "@hono/zod-openapi";

export const Team = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    allow_auto_assign: z.boolean(),
    icon: z.string().nullable(),
    icon_color: z.string().nullable(),
    account_id: z.number().int(),
    is_member: z.boolean(),
  })
  .openapi("Team");

export const team = (t: TeamRow, isMember: boolean): z.infer<typeof Team> => ({
  id: t.id,
  name: t.name,
  description: t.description,
  allow_auto_assign: t.allowAutoAssign,
  icon: t.icon,
  icon_color: t.iconColor,
  account_id: t.accountId,
  is_member: isMember,
});
