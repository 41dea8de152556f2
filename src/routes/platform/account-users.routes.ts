import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountUser } from "../../serializers/account";
import {
  AccountUserCreateBody,
  AccountUserDeleteBody,
  AccountUserDeleteQuery,
  AccountUserList,
} from "./account-users.schemas";
import { AccountParams, PLATFORM_BASE, PlatformDeleted, platformErrors, platformRoute } from "./shared";

const path = `${PLATFORM_BASE}/accounts/{account_id}/account_users`;
const tag = "Platform: account users";

export const list = createRoute({
  method: "get",
  path,
  summary: "List the account's members",
  ...platformRoute(
    tag,
    "The account's memberships (`user_id` and `role`) in the order they were added. An unknown account answers 404.",
  ),
  request: { params: AccountParams },
  responses: { 200: json(AccountUserList, "Members"), ...platformErrors },
});

export const create = createRoute({
  method: "post",
  path,
  summary: "Add a user to the account, or change their role",
  ...platformRoute(tag, "`role` defaults to `agent`. An unknown account or user answers 404."),
  request: { params: AccountParams, body: body(AccountUserCreateBody, { wrap: "account_user" }) },
  responses: { 200: json(AccountUser, "The membership"), ...platformErrors },
});

export const remove = createRoute({
  method: "delete",
  path,
  summary: "Remove a user from the account",
  ...platformRoute(
    tag,
    "`user_id` in the body (or the query). The user also leaves the account's inboxes and teams, and its " +
      "conversations they held become unassigned.",
  ),
  request: {
    params: AccountParams,
    query: AccountUserDeleteQuery,
    body: body(AccountUserDeleteBody, { wrap: "account_user", optional: true }),
  },
  responses: { 200: json(PlatformDeleted, "Removed"), ...platformErrors },
});
