import { OpenAPIHono, type RouteConfig, type RouteHandler, type z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/context";
import { validationError } from "../lib/zod";

/**
 * A router whose routes are all described in /openapi.json. Params and query are validated
 * by zod-openapi; request bodies are documented here but validated in the handler with
 * `parseBody`, after authentication, because Chatwoot clients send them as JSON, multipart
 * forms or resource-wrapped objects.
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
  const route = router.openapi.bind(router);
  router.openapi = ((config: RouteConfig, handler: never, hook?: never) => {
    // Middleware is how a route runs, not what it is: left in, it showed as `"middleware": [null]` in the document.
    const { middleware: _runsOnly, ...documented } = config;
    router.openAPIRegistry.registerPath(documented as RouteConfig);
    const { body: _documentedOnly, ...request } = config.request ?? {};
    return route({ ...config, request, hide: true } as RouteConfig, handler, hook);
  }) as typeof router.openapi;
  return router;
}

export type Router = ReturnType<typeof createRouter>;

/** Request body documentation: JSON and (where clients use it) multipart forms. */
export function body(schema: z.ZodType, opts: { multipart?: boolean; description?: string } = {}) {
  const content: Record<string, { schema: z.ZodType }> = { "application/json": { schema } };
  if (opts.multipart) content["multipart/form-data"] = { schema };
  return { content, required: true, description: opts.description };
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/**
 * The one handler type: a handler of route `R` of a routes module (`typeof routes`), with the
 * request context (`AppEnv`) every middleware shares and the route's validated input typed.
 */
export type AppRouteHandler<Routes, R extends keyof Routes> = Routes[R] extends RouteConfig
  ? RouteHandler<Routes[R], AppEnv>
  : never;
