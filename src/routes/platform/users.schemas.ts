import { z } from "@hono/zod-openapi";
import { zJsonObject } from "../../lib/zod";

const text = (max: number) => z.string().trim().max(max);

const UserFields = z.object({
  name: text(255).min(1),
  email: z.email().max(255),
  password: z.string().min(8).max(128).describe("Optional: without one the user can only use the API token"),
  display_name: text(255)
    .nullable()
    .transform((v) => v || null),
  custom_attributes: zJsonObject.describe("Merged into the stored attributes on update"),
});

export const UserCreateBody = UserFields.partial().required({ name: true, email: true }).openapi("PlatformUserCreate");

export const UserUpdateBody = UserFields.partial().openapi("PlatformUserUpdate");
