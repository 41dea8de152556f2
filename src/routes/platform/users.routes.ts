import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { PlatformUser } from "../../serializers/platform-user";
import { UserCreateBody, UserUpdateBody } from "./users.schemas";
import { PLATFORM_BASE, PlatformDeleted, platformErrors, platformRoute, UserParams } from "./shared";

const base = `${PLATFORM_BASE}/users`;
const tag = "Platform: users";

export const create = createRoute({
  method: "post",
  path: base,
  summary: "Create a user with an API access token",
  ...platformRoute(
    tag,
    "The response's `access_token` is the only time the token is shown: it is stored as a SHA-256 hash. A taken " +
      "e-mail answers 422.",
  ),
  request: { body: body(UserCreateBody, { wrap: "user" }) },
  responses: { 200: json(PlatformUser, "The new user, with `access_token`"), ...platformErrors },
});

export const show = createRoute({
  method: "get",
  path: `${base}/{id}`,
  summary: "Show a user",
  ...platformRoute(tag, "No `access_token`: only its hash is stored."),
  request: { params: UserParams },
  responses: { 200: json(PlatformUser, "The user"), ...platformErrors },
});

const updateConfig = {
  path: `${base}/{id}`,
  summary: "Update a user",
  ...platformRoute(
    tag,
    "`custom_attributes` is merged. A new `password` needs no current one. A taken e-mail answers 422.",
  ),
  request: { params: UserParams, body: body(UserUpdateBody, { wrap: "user" }) },
  responses: { 200: json(PlatformUser, "The updated user"), ...platformErrors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  summary: "Delete a user",
  ...platformRoute(tag, "Their token and memberships go with them; conversations they held become unassigned."),
  request: { params: UserParams },
  responses: { 200: json(PlatformDeleted, "Deleted"), ...platformErrors },
});

export const resetToken = createRoute({
  method: "post",
  path: `${base}/{id}/reset_access_token`,
  summary: "Issue a new access token for a user",
  ...platformRoute(
    tag,
    "How an operator hands a token to an agent an administrator created with `POST /api/v1/accounts/{id}/agents`. " +
      "The old token stops working at once; the new one is shown only in this response.",
  ),
  request: { params: UserParams },
  responses: { 200: json(PlatformUser, "The user, with the new `access_token`"), ...platformErrors },
});
