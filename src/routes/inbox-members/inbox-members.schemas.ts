import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zId, zList } from "../../lib/zod";
import { Agent } from "../../serializers/user";

export const InboxMembersParams = accountChild("inbox_id", "Inbox id");

const userIds = zList(zId).pipe(z.array(z.number()).max(500, "at most 500 user ids at a time"));

export const InboxMembersBody = z
  .object({
    inbox_id: zId,
    user_ids: userIds
      .pipe(z.array(z.number()).min(1, "must list at least one user id"))
      .describe("Agent (user) ids of this account"),
  })
  .openapi("InboxMembersChange");

export const InboxMembersReplaceBody = z
  .object({ inbox_id: zId, user_ids: userIds.describe("The complete new member list (may be empty)") })
  .openapi("InboxMembersReplace");

export const InboxMemberList = z.object({ payload: z.array(Agent) }).openapi("InboxMemberList");
