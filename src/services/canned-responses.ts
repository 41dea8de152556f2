import { and, asc, eq, or, sql } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import { cannedResponses, type CannedResponseRow } from "../db/schema";
import { containsText } from "../db/select";
import { isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import type {
  CannedResponseCreateBody,
  CannedResponseUpdateBody,
} from "../routes/canned-responses/canned-responses.schemas";
import type { ServiceContext } from "./context";

/*
 * Canned responses are the account's: as in Chatwoot (whose controller has no policy), any agent of
 * the account lists, creates, edits and deletes them.
 */

const inAccount = (accountId: number, id: number) =>
  and(eq(cannedResponses.accountId, accountId), eq(cannedResponses.id, id))!;

const shortCodeTaken = () =>
  unprocessable("Short code has already been taken", [{ field: "short_code", message: "has already been taken" }]);

/**
 * The account's canned responses, or those whose short code or content contains `search`
 * (ignoring ASCII case). Short codes that start with the term come first, then other short-code
 * matches, then content-only matches, so `/ref` completes to `refund` before a text mentioning it.
 */
export function listCannedResponses({ db, accountId }: ServiceContext, search?: string): Promise<CannedResponseRow[]> {
  const term = search?.trim();
  const account = eq(cannedResponses.accountId, accountId);
  if (!term) return db.select().from(cannedResponses).where(account).orderBy(asc(cannedResponses.id));
  const rank = sql`case when instr(lower(${cannedResponses.shortCode}), lower(${term})) = 1 then 0
    when instr(lower(${cannedResponses.shortCode}), lower(${term})) > 0 then 1 else 2 end`;
  return db
    .select()
    .from(cannedResponses)
    .where(and(account, or(containsText(cannedResponses.shortCode, term), containsText(cannedResponses.content, term))))
    .orderBy(rank, asc(cannedResponses.shortCode), asc(cannedResponses.id));
}

/** Creates a canned response; the short code is unique per account (422 otherwise). */
export async function createCannedResponse(
  { db, accountId }: ServiceContext,
  input: z.output<typeof CannedResponseCreateBody>,
): Promise<CannedResponseRow> {
  try {
    const [row] = await db
      .insert(cannedResponses)
      .values({ accountId, shortCode: input.short_code, content: input.content })
      .returning();
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw shortCodeTaken();
    throw err;
  }
}

/** Changes the fields sent; another account's id answers 404, a taken short code 422. */
export async function updateCannedResponse(
  { db, accountId }: ServiceContext,
  id: number,
  input: z.output<typeof CannedResponseUpdateBody>,
): Promise<CannedResponseRow> {
  try {
    const [row] = await db
      .update(cannedResponses)
      .set({ shortCode: input.short_code, content: input.content, updatedAt: Date.now() })
      .where(inAccount(accountId, id))
      .returning();
    if (!row) throw notFound("Canned response");
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw shortCodeTaken();
    throw err;
  }
}

export async function deleteCannedResponse({ db, accountId }: ServiceContext, id: number) {
  const [row] = await db.delete(cannedResponses).where(inAccount(accountId, id)).returning({ id: cannedResponses.id });
  if (!row) throw notFound("Canned response");
}
