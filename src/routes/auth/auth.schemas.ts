import { z } from "@hono/zod-openapi";
import { Profile } from "../../serializers/user";

export const SignInBody = z
  .object({
    email: z.string().trim().min(1).max(255),
    password: z.string().min(1).max(128),
  })
  .openapi("SignIn");

export const SessionUser = Profile.extend({
  csrf_token: z.string().describe("Send as X-CSRF-Token with every write made on the session cookie"),
}).openapi("SessionUser");

export const SignInResult = z.object({ data: SessionUser }).openapi("SignInResult");
export const ValidateTokenResult = z
  .object({ success: z.literal(true), data: SessionUser })
  .openapi("ValidateTokenResult");
export const SuccessResult = z.object({ success: z.literal(true) }).openapi("SuccessResult");

export const SetPasswordBody = z
  .object({
    token: z.string().trim().min(1).max(255).describe("From the set-password link"),
    password: z.string().min(8).max(128),
    password_confirmation: z.string().max(128),
  })
  .superRefine((b, ctx) => {
    if (b.password !== b.password_confirmation)
      ctx.addIssue({ code: "custom", path: ["password_confirmation"], message: "doesn't match Password" });
  })
  .openapi("SetPassword");
