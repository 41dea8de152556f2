import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { errors } from "../responses";
import { ErrorEnvelope } from "../../lib/schemas";
import { authenticate } from "../../middleware/auth";
import { SetPasswordBody, SignInBody, SignInResult, SuccessResult, ValidateTokenResult } from "./auth.schemas";

const tags = ["Auth"];
const { 403: _none, 404: _missing, ...authErrors } = errors;
const tooMany = {
  429: {
    content: { "application/json": { schema: ErrorEnvelope } },
    description: "Too many failed sign-ins: wait for Retry-After",
  },
};

export const signIn = createRoute({
  method: "post",
  path: "/auth/sign_in",
  tags,
  security: [],
  summary: "Sign in with e-mail and password",
  description:
    "Chatwoot's devise_token_auth shape: `data` is the profile with `access_token`, an API token for this session " +
    "only (it ends at sign-out, at expiry after 14 days, or when the password changes). " +
    "Also sets the console's HttpOnly session cookie. A wrong e-mail and a wrong password answer the same 401. " +
    "Repeated failures for one e-mail or one client address are refused for a while (429 with Retry-After).",
  request: { body: body(SignInBody, { wrap: "user", multipart: true }) },
  responses: { 200: json(SignInResult, "Signed in"), ...authErrors, ...tooMany },
});

export const validateToken = createRoute({
  method: "get",
  path: "/auth/validate_token",
  tags,
  summary: "The signed-in user (cookie or token), with the session's CSRF token",
  description:
    "Any signed-in user may call this, with the console's session cookie or an access token. `csrf_token` is " +
    "the one to send as `X-CSRF-Token` on cookie writes; with an access token it is empty.",
  middleware: authenticate(),
  responses: { 200: json(ValidateTokenResult, "Signed in"), ...authErrors },
});

export const signOut = createRoute({
  method: "delete",
  path: "/auth/sign_out",
  tags,
  summary: "End this session: its cookie and its access_token stop working",
  description:
    "Any signed-in user may call this; it also clears the session cookie. Called with a user's permanent " +
    "access token (not a sign-in session's), it ends nothing and that token keeps working.",
  middleware: authenticate(),
  responses: { 200: json(SuccessResult, "Signed out"), ...authErrors },
});

export const setPassword = createRoute({
  method: "post",
  path: "/auth/password",
  tags,
  security: [],
  summary: "Set a password from a one-time set-password link",
  description: "Uses the link up and ends every session the user had.",
  request: { body: body(SetPasswordBody, { wrap: "user" }) },
  responses: { 200: json(SuccessResult, "Password set"), ...authErrors },
});
