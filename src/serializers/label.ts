import { z } from "@hono/zod-openapi";
import type { LabelRow } from "../db/schema";

/** Chatwoot's label partial (`api/v1/models/_label`): exactly these five fields. */
export const Label = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    color: z.string().describe("#rrggbb"),
    show_on_sidebar: z.boolean(),
  })
  .openapi("Label");

export const label = (l: LabelRow): z.infer<typeof Label> => ({
  id: l.id,
  title: l.title,
  description: l.description,
  color: l.color,
  show_on_sidebar: l.showOnSidebar,
});
