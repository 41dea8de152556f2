import { eq } from "drizzle-orm";
import { accounts } from "../db/schema";
import { notFound } from "../lib/errors";
import type { DB } from "../db/client";
import type { z } from "@hono/zod-openapi";
import type { AccountCreateBody, AccountUpdateBody } from "../routes/platform/accounts.schemas";

/** An account's settings, as the Platform API's update schema reads them. */
export type AccountInput = z.output<typeof AccountUpdateBody>;

export async function createAccount(db: DB, input: z.output<typeof AccountCreateBody>) {
  const [row] = await db
    .insert(accounts)
    .values({
      name: input.name,
      locale: input.locale ?? "en",
      domain: input.domain ?? null,
      supportEmail: input.support_email ?? null,
      status: input.status ?? "active",
      customAttributes: input.custom_attributes ?? {},
    })
    .returning();
  return row;
}

export async function findAccount(db: DB, id: number) {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  if (!row) throw notFound("Account");
  return row;
}
