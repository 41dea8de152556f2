import type { AppRouteHandler } from "../openapi";
import { platformUser } from "../../serializers/platform-user";
import * as platform from "../../services/platform";
import { resetAccessToken } from "../../services/users";
import type * as routes from "./users.routes";

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  const { user, token } = await platform.createPlatformUser(c.var.db, input);
  return c.json(platformUser(user, token), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(platformUser(await platform.findUser(c.var.db, id)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  return c.json(platformUser(await platform.updateUser(c.var.db, id, input)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await platform.deleteUser(c.var.db, id);
  return c.json({ message: "User deleted" }, 200);
};

export const resetToken: AppRouteHandler<typeof routes, "resetToken"> = async (c) => {
  const { id } = c.req.valid("param");
  const user = await platform.findUser(c.var.db, id);
  return c.json(platformUser(user, await resetAccessToken(c.var.db, user.id)), 200);
};
