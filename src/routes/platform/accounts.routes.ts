import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { Account } from "../../serializers/account";
import { AccountCreateBody, AccountUpdateBody } from "./accounts.schemas";
import { AccountParams, PLATFORM_BASE, PlatformDeleted, platformErrors, platformRoute } from "./shared";

const base = `${PLATFORM_BASE}/accounts`;
const tag = "Platform: accounts";

export const create = createRoute({
  method: "post",
  path: base,
  summary: "Create an account",
  ...platformRoute(
    tag,
    "Only `name` is required; `locale` defaults to `en` and `status` to `active`. The account starts with no " +
      "members: add them with the account users routes.",
  ),
  request: { body: body(AccountCreateBody, { wrap: "account" }) },
  responses: { 200: json(Account, "The new account"), ...platformErrors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{account_id}`,
  summary: "Show an account",
  ...platformRoute(tag, "Any account of the installation, by id; an unknown id answers 404."),
  request: { params: AccountParams },
  responses: { 200: json(Account, "The account"), ...platformErrors },
});

const updateConfig = {
  path: `${base}/{account_id}`,
  summary: "Update an account",
  ...platformRoute(
    tag,
    "`custom_attributes` is merged. Setting `status` to `suspended` locks the account's agents out.",
  ),
  request: { params: AccountParams, body: body(AccountUpdateBody, { wrap: "account" }) },
  responses: { 200: json(Account, "The updated account"), ...platformErrors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{account_id}`,
  summary: "Delete an account with all its data",
  ...platformRoute(tag, "Memberships, inboxes, teams, contacts, conversations and messages go with it; users remain."),
  request: { params: AccountParams },
  responses: { 200: json(PlatformDeleted, "Deleted"), ...platformErrors },
});
