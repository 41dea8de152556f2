import { eq } from "drizzle-orm";
import { accounts } from "../db/schema";
import { notFound } from "../lib/errors";
import type { DB } from "../db/client";

export type AccountInput = {
  name?: string;
  locale?: string;
  domain?: string | null;
  support_email?: string | null;
  status?: "active" | "suspended";
  custom_attributes?: Record<string, unknown>;
};

export async function createAccount(db: DB, input: AccountInput & { name: string }) {
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
