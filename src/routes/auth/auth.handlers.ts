import type { AppRouteHandler } from "../openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../middleware/context";
import { profile } from "../../serializers/user";
import { showProfile } from "../../services/profile";
import * as sessions from "../../services/sessions";
import type * as routes from "./auth.routes";

/** HttpOnly and SameSite=Lax always; Secure wherever the console is served over https (all but local dev). */
const cookieOptions = (c: Context<AppEnv>) => ({
  httpOnly: true,
  secure: new URL(c.req.url).protocol === "https:",
  sameSite: "Lax" as const,
  path: "/",
});

export const signIn: AppRouteHandler<typeof routes, "signIn"> = async (c) => {
  const input = c.req.valid("json");
  const signedIn = await sessions.signIn(c.var.db, {
    ...input,
    ip: c.req.header("cf-connecting-ip") ?? "unknown",
    userAgent: c.req.header("user-agent") ?? null,
  });
  setCookie(c, sessions.SESSION_COOKIE, signedIn.cookie, {
    ...cookieOptions(c),
    maxAge: Math.floor(sessions.SESSION_TTL_MS / 1000),
  });
  return c.json(
    { data: { ...profile(signedIn.user, signedIn.apiToken, signedIn.memberships), csrf_token: signedIn.csrfToken } },
    200,
  );
};

export const validateToken: AppRouteHandler<typeof routes, "validateToken"> = async (c) => {
  const { user, token, credential } = c.var.principal;
  const view = await showProfile(c.var.db, user);
  // The CSRF token only means something for the cookie; an API-token caller needs none.
  const csrf =
    credential.kind === "cookie" ? await sessions.csrfTokenFor(getCookie(c, sessions.SESSION_COOKIE) ?? "") : "";
  return c.json(
    { success: true as const, data: { ...profile(view.user, token, view.memberships), csrf_token: csrf } },
    200,
  );
};

export const signOut: AppRouteHandler<typeof routes, "signOut"> = async (c) => {
  await sessions.signOut(c.var.db, c.var.principal.credential);
  deleteCookie(c, sessions.SESSION_COOKIE, cookieOptions(c));
  return c.json({ success: true as const }, 200);
};

export const setPassword: AppRouteHandler<typeof routes, "setPassword"> = async (c) => {
  const input = c.req.valid("json");
  await sessions.setPasswordWithToken(c.var.db, input.token, input.password);
  return c.json({ success: true as const }, 200);
};
