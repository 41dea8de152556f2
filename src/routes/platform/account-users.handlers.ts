import type { AppRouteHandler } from "../openapi";
import { unprocessable } from "../../lib/errors";
import { accountUser } from "../../serializers/account";
import * as platform from "../../services/platform";
import type * as routes from "./account-users.routes";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const rows = await platform.listAccountUsers(c.var.db, account_id);
  return c.json(rows.map(accountUser), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const { user_id, role } = c.req.valid("json");
  return c.json(accountUser(await platform.addAccountUser(c.var.db, account_id, user_id, role)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const user_id = c.req.valid("query").user_id ?? c.req.valid("json").user_id;
  if (user_id === undefined) {
    throw unprocessable("Validation failed: user_id: is required", [{ field: "user_id", message: "is required" }]);
  }
  await platform.removeAccountUser(c.var.db, account_id, user_id);
  return c.json({ message: "Account user deleted" }, 200);
};
