import { z } from "@hono/zod-openapi";
import type { CannedResponseRow } from "../db/schema";

const Iso = z.string().describe("ISO 8601 (Chatwoot renders the raw row)");

/** Chatwoot renders the raw row: its timestamps are ISO 8601 strings, not unix seconds. */
export const CannedResponse = z
  .object({
    id: z.number().int(),
    account_id: z.number().int(),
    short_code: z.string(),
    content: z.string(),
    created_at: Iso,
    updated_at: Iso,
  })
  .openapi("CannedResponse");

export const cannedResponse = (r: CannedResponseRow): z.infer<typeof CannedResponse> => ({
  id: r.id,
  account_id: r.accountId,
  short_code: r.shortCode,
  content: r.content,
  created_at: new Date(r.createdAt).toISOString(),
  updated_at: new Date(r.updatedAt).toISOString(),
});
