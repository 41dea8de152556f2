import type { AppRouteHandler } from "../openapi";
import { parseBody } from "../../lib/body";
import type { AppEnv } from "../../middleware/context";
import { agent } from "../../serializers/user";
import type { AgentRow } from "../../services/agents";
import * as members from "../../services/inbox-members";
import { InboxMembersBody, InboxMembersReplaceBody } from "./inbox-members.schemas";
import type * as routes from "./inbox-members.routes";
import { viewerOf } from "../../services/auth";

const scope = (c: { var: AppEnv["Variables"] }) => ({ db: c.var.db, accountId: c.var.principal.account!.id });
const payload = (rows: AgentRow[]) => ({ payload: rows.map((r) => agent(r.user, r.membership)) });
// Rails wraps this controller's JSON params as `inbox_member`.
const WRAP = "inbox_member";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const { inbox_id } = c.req.valid("param");
  const viewer = viewerOf(c.var.principal);
  return c.json(payload(await members.listInboxMembers(scope(c), viewer, inbox_id)), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const { inbox_id, user_ids } = await parseBody(c, InboxMembersBody, WRAP);
  return c.json(payload(await members.addToInbox(scope(c), inbox_id, user_ids)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { inbox_id, user_ids } = await parseBody(c, InboxMembersReplaceBody, WRAP);
  return c.json(payload(await members.setInboxMembers(scope(c), inbox_id, user_ids)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { inbox_id, user_ids } = await parseBody(c, InboxMembersBody, WRAP);
  return c.json(payload(await members.removeFromInbox(scope(c), inbox_id, user_ids)), 200);
};
