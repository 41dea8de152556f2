import { z } from "@hono/zod-openapi";
import { zJsonObject } from "../../lib/zod";

const text = (max: number) => z.string().trim().max(max);
/** Blank means "none": form clients send "" to clear a field. */
const optionalText = (max: number) =>
  text(max)
    .nullable()
    .transform((v) => v || null);

const AccountFields = z.object({
  name: text(255).min(1),
  locale: text(16)
    .min(2)
    .regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/, "must be a locale code, e.g. en or pt_BR"),
  domain: optionalText(255),
  support_email: z
    .email()
    .max(255)
    .nullable()
    .or(z.literal("").transform(() => null)),
  status: z.enum(["active", "suspended"]).describe("A suspended account's /api/v1 routes answer 401"),
  custom_attributes: zJsonObject.describe("Merged into the stored attributes on update"),
});

export const AccountCreateBody = AccountFields.partial().required({ name: true }).openapi("PlatformAccountCreate");

export const AccountUpdateBody = AccountFields.partial().openapi("PlatformAccountUpdate");
