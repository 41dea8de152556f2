import type { AppRouteHandler } from "../openapi";
import { parseBody } from "../../lib/body";
import { accountUser } from "../../serializers/account";
import * as platform from "../../services/platform";
import { AccountUserCreateBody, AccountUserDeleteBody } from "./account-users.schemas";
import type * as routes from "./account-users.routes";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const rows = await platform.listAccountUsers(c.var.db, account_id);
  return c.json(rows.map(accountUser), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const { user_id, role } = await parseBody(c, AccountUserCreateBody, "account_user");
  return c.json(accountUser(await platform.addAccountUser(c.var.db, account_id, user_id, role)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const fromQuery = c.req.valid("query").user_id;
  const { user_id } = fromQuery ? { user_id: fromQuery } : await parseBody(c, AccountUserDeleteBody, "account_user");
  await platform.removeAccountUser(c.var.db, account_id, user_id);
  return c.json({ message: "Account user deleted" }, 200);
};
