import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, json } from "../openapi";

export const VERSION = "1.0.0";

const Health = z
  .object({
    version: z.string(),
    timestamp: z.string(),
    queue_services: z.enum(["ok", "failing"]),
    data_services: z.enum(["ok", "failing"]),
  })
  .openapi("Health");

const health = createRoute({
  method: "get",
  path: "/api",
  tags: ["Health"],
  summary: "Version and health (no authentication)",
  description:
    "Anyone may call this, without a token. `data_services` is `failing` when a trivial D1 query fails; " +
    "`queue_services` is always `ok`.",
  security: [],
  responses: { 200: json(Health, "Service is up") },
});

export const healthRouter = createRouter().openapi(health, async (c) => {
  let data: "ok" | "failing" = "ok";
  try {
    await c.var.db.run("select 1");
  } catch {
    data = "failing";
  }
  return c.json(
    { version: VERSION, timestamp: new Date().toISOString(), queue_services: "ok" as const, data_services: data },
    200,
  );
});
