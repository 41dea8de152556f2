import { z } from "@hono/zod-openapi";

export const Attributes = z.record(z.string(), z.unknown());
export const UnixTime = z.number().int().describe("Unix seconds");

export const ErrorEnvelope = z
  .object({
    error: z.string().describe("Human-readable message (a plain string, as Chatwoot clients expect)"),
    code: z.string().describe("Machine-readable code, e.g. UNPROCESSABLE_ENTITY"),
    details: z.array(z.object({ field: z.string(), message: z.string() })),
  })
  .openapi("Error");

/** A 410: the cursor is older than what retention keeps; start again from `oldest_available_id`. */
export const CursorExpiredEnvelope = ErrorEnvelope.extend({
  oldest_available_id: z.number().int().describe("The oldest id still kept"),
}).openapi("CursorExpired");

/** The body of a successful DELETE (Chatwoot sends an empty 200; a JSON body is kinder to clients). */
export const Deleted = z.object({ message: z.string() }).openapi("Deleted");
