import { OpenAPIHono, type RouteConfig, type RouteConfigToEnv, type RouteHandler, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../middleware/context";
import { parseBody } from "../lib/body";
import { validationError } from "../lib/zod";

type BodyRule = { schema: z.ZodType; wrap?: string };

/** What `body()` declared of each request body, found again by `createRouter` when the route is registered. */
const bodyRules = new WeakMap<object, BodyRule>();
/** Bodies the handler reads itself (`streamedBody`): documented, not read or validated before it. */
const handlerBodies = new WeakSet<object>();

/**
 * A router whose routes are all described in /openapi.json. Params and query are validated by
 * zod-openapi; the request body declared with `body()` is read and validated here too, after the
 * route's middleware (authentication) and before the handler, which gets it from
 * `c.req.valid("json")` whatever shape the client sent it in: JSON, a multipart or url-encoded form,
 * flat or wrapped in the resource name.
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
  const route = router.openapi.bind(router);
  router.openapi = ((config: RouteConfig, handler: RouteHandler<RouteConfig, AppEnv>, hook?: never) => {
    // Middleware is how a route runs, not what it is: left in, it showed as `"middleware": [null]` in the document.
    const { middleware: _runsOnly, ...documented } = config;
    router.openAPIRegistry.registerPath(documented as RouteConfig);
    const { body: declared, ...request } = config.request ?? {};
    const rule = declared && bodyRules.get(declared);
    if (declared && !rule && !handlerBodies.has(declared))
      throw new Error(`${config.method} ${config.path}: declare its body with body() or streamedBody()`);
    const validated = rule
      ? async (c: Context<AppEnv>, next: never) => {
          c.req.addValidatedData("json", (await parseBody(c, rule.schema, rule.wrap)) as object);
          return handler(c as never, next);
        }
      : handler;
    return route({ ...config, request, hide: true } as RouteConfig, validated as never, hook);
  }) as typeof router.openapi;
  return router;
}

export type Router = ReturnType<typeof createRouter>;

type BodyOptions = {
  /** Also accept the body wrapped in this key (`{"contact": {...}}`), as Rails' wrap_parameters does. */
  wrap?: string;
  /** Document multipart/form-data too (the parser reads every form either way). */
  multipart?: boolean;
  /** An empty body is allowed: the schema's fields are all optional. */
  optional?: boolean;
  description?: string;
};

/**
 * A route's request body, declared once: its documentation in /openapi.json and the schema
 * `createRouter` validates it with. The handler reads the parsed value from `c.req.valid("json")`.
 */
export function body<T extends z.ZodType>(schema: T, opts: BodyOptions = {}) {
  const content: Record<string, { schema: T }> = { "application/json": { schema } };
  if (opts.multipart) content["multipart/form-data"] = { schema };
  const wrapped = opts.wrap && `Also accepted wrapped in \`{"${opts.wrap}": {...}}\`.`;
  const description = [opts.description, wrapped].filter(Boolean).join(" ") || undefined;
  const declared = { content: content as { "application/json": { schema: T } }, required: !opts.optional, description };
  bodyRules.set(declared, { schema, wrap: opts.wrap });
  return declared;
}

/**
 * A request body the handler reads itself, as a stream (a file on its way to storage, which must
 * not be buffered first): documented with these media types, left unread until the handler.
 */
export function streamedBody(content: Record<string, { schema: z.ZodType }>, description: string) {
  const declared = {
    content: content as { "application/octet-stream": { schema: z.ZodType } },
    required: true,
    description,
  };
  handlerBodies.add(declared);
  return declared;
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/**
 * The one handler type: a handler of route `R` of a routes module (`typeof routes`), with the
 * request context (`AppEnv`) every middleware shares, what the route's middleware adds to it
 * (`c.var.ctx` and the route's preloads, typed) and the route's validated input.
 */
export type AppRouteHandler<Routes, R extends keyof Routes> = Routes[R] extends RouteConfig
  ? RouteHandler<Routes[R], AppEnv & RouteConfigToEnv<Routes[R]>>
  : never;
