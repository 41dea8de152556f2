import { z } from "@hono/zod-openapi";
import { accountChild, ContactParams } from "../../lib/params";
import { zBool, zKey, zList } from "../../lib/zod";
import { Label } from "../../serializers/label";

export const LabelParams = accountChild("id", "Label id");
export { ContactParams };

export const LABEL_TITLE_MAX = 100;

const LabelFields = z.object({
  title: z
    .string()
    .trim()
    .min(1)
    .max(LABEL_TITLE_MAX)
    .regex(/^[\p{L}\p{N}_-]+$/u, "must contain only letters, numbers, hyphens and underscores")
    .describe("Unique per account; stored lower-cased, as Chatwoot does"),
  description: z.string().trim().max(10_000).nullable().optional(),
  color: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, "must be a hex colour like #1f93ff")
    .optional()
    .describe("#rrggbb; #1f93ff when not given"),
  show_on_sidebar: zBool.optional().describe("Whether the console's conversation list offers it as a filter"),
});

export const LabelCreateBody = LabelFields.openapi("LabelCreate");
export const LabelUpdateBody = LabelFields.partial().openapi("LabelUpdate");

export const LabelListResult = z.object({ payload: z.array(Label) }).openapi("LabelDefinitions");

/** A label on a contact: any trimmed string, as Chatwoot's tagging accepts (not only defined labels). */
const tag = zKey();
export const ContactLabelsBody = z
  .object({ labels: zList(tag).pipe(z.array(tag).max(50)).describe("The contact's complete new label list") })
  .openapi("ContactLabels");
export const ContactLabelsResult = z.object({ payload: z.array(z.string()) }).openapi("ContactLabelList");
export { Label };
