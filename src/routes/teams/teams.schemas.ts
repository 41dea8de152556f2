import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zBool, zId, zList } from "../../lib/zod";
import { Team } from "../../serializers/team";
import { Agent } from "../../serializers/user";

export const TeamParams = accountChild("id", "Team id");
export const TeamMembersParams = accountChild("team_id", "Team id");

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

const TeamFields = z.object({
  name: z.string().trim().min(1).max(255).describe("Unique per account; stored lower-cased, as Chatwoot does"),
  description: optionalText(10_000),
  allow_auto_assign: zBool.optional(),
  icon: optionalText(255),
  icon_color: optionalText(32),
});

export const TeamCreateBody = TeamFields.openapi("TeamCreate");
export const TeamUpdateBody = TeamFields.partial().openapi("TeamUpdate");

const userIds = zList(zId).pipe(z.array(z.number()).max(500, "at most 500 user ids at a time"));

export const TeamMembersBody = z
  .object({ user_ids: userIds.pipe(z.array(z.number()).min(1, "must list at least one user id")) })
  .openapi("TeamMembersChange");
export const TeamMembersReplaceBody = z
  .object({ user_ids: userIds.describe("The complete new member list (may be empty)") })
  .openapi("TeamMembersReplace");

export const TeamList = z.array(Team).openapi("TeamList");
export const TeamMemberList = z.array(Agent).openapi("TeamMemberList");
export { Team };
