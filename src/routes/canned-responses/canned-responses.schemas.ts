import { z } from "@hono/zod-openapi";
import { accountChild } from "../../lib/params";
import { zKey, zQuery } from "../../lib/zod";
import { CannedResponse } from "../../serializers/canned-response";

export const SHORT_CODE_MAX = 100;
export const CANNED_CONTENT_MAX = 10_000;

export const CannedResponseParams = accountChild("id", "Canned response id");

const CannedResponseFields = z.object({
  short_code: zKey(SHORT_CODE_MAX).describe("What agents type after `/`; unique per account (case-sensitive)"),
  content: z
    .string()
    .trim()
    .min(1)
    .max(CANNED_CONTENT_MAX, `is too long (maximum is ${CANNED_CONTENT_MAX} characters)`)
    .describe("The text inserted in place of `/short_code`"),
});

export const CannedResponseCreateBody = CannedResponseFields.openapi("CannedResponseCreate");
export const CannedResponseUpdateBody = CannedResponseFields.partial().openapi("CannedResponseUpdate");

export const CannedResponseListQuery = z.object({
  search: zQuery(z.string().trim().max(255)).describe(
    "Case-insensitive substring of the short code or the content; short-code matches come first",
  ),
});

export const CannedResponseList = z.array(CannedResponse).openapi("CannedResponseList");
export { CannedResponse };
