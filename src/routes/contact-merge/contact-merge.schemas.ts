import { z } from "@hono/zod-openapi";
import { zId } from "../../lib/zod";

export const ContactMergeBody = z
  .object({
    base_contact_id: zId.describe("The contact that stays: it keeps its attributes and receives the other's"),
    mergee_contact_id: zId.describe("The contact merged into the base, then deleted"),
  })
  .openapi("ContactMerge");
