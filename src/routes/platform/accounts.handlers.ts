import type { AppRouteHandler } from "../openapi";
import { account } from "../../serializers/account";
import { createAccount, findAccount } from "../../services/accounts";
import * as platform from "../../services/platform";
import type * as routes from "./accounts.routes";

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  return c.json(account(await createAccount(c.var.db, input)), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { account_id } = c.req.valid("param");
  return c.json(account(await findAccount(c.var.db, account_id)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const input = c.req.valid("json");
  return c.json(account(await platform.updateAccount(c.var.db, account_id, input)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { account_id } = c.req.valid("param");
  await platform.deleteAccount(c.var.db, account_id);
  return c.json({ message: "Account deleted" }, 200);
};
