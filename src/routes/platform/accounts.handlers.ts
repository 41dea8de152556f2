import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../middleware/context";
import { parseBody } from "../../lib/body";
import { account } from "../../serializers/account";
import { createAccount, findAccount } from "../../services/accounts";
import * as platform from "../../services/platform";
import { AccountCreateBody, AccountUpdateBody } from "./accounts.schemas";
import type * as routes from "./accounts.routes";

type Handler<R extends keyof typeof routes> = RouteHandler<(typeof routes)[R], AppEnv>;

export const create: Handler<"create"> = async (c) => {
  const input = await parseBody(c, AccountCreateBody, "account");
  return c.json(account(await createAccount(c.var.db, input)), 200);
};

export const show: Handler<"show"> = async (c) => {
  const { account_id } = c.req.valid("param");
  return c.json(account(await findAccount(c.var.db, account_id)), 200);
};

export const update: Handler<"update"> = async (c) => {
  const { account_id } = c.req.valid("param");
  const input = await parseBody(c, AccountUpdateBody, "account");
  return c.json(account(await platform.updateAccount(c.var.db, account_id, input)), 200);
};

export const remove: Handler<"remove"> = async (c) => {
  const { account_id } = c.req.valid("param");
  await platform.deleteAccount(c.var.db, account_id);
  return c.json({ message: "Account deleted" }, 200);
};
