import { OpenAPIHono } from "@hono/zod-openapi";
import { getPath } from "hono/utils/url";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./middleware/context";
import { AppError, errorBody } from "./lib/errors";
import { notFoundAnswer } from "./lib/not-found";
import { validationError } from "./lib/zod";
import { database } from "./middleware/db";
import { idempotency, publicIdempotency } from "./middleware/idempotency";
import { publicCors } from "./middleware/public-guards";
import { rateLimits } from "./middleware/rate-limit";
import { routers } from "./routes";
import { swaggerPage } from "./routes/docs";
import { readExamples, withExamples } from "./routes/docs/examples";

type DocumentConfig = Parameters<OpenAPIHono["getOpenAPI31Document"]>[0];

/** A request at least this slow is logged whatever REQUEST_LOG says. */
const SLOW_REQUEST_MS = 1000;

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>({
    // Clients send trailing slashes (`/inboxes/5/`); they name the same resource.
    getPath: (req) => {
      const path = getPath(req);
      return path.length > 1 && path.endsWith("/") ? path.replace(/\/+$/, "") : path;
    },
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });

  app.use(requestId());
  app.use(async (c, next) => {
    const started = Date.now();
    await next();
    const ms = Date.now() - started;
    // Every request with REQUEST_LOG=all; otherwise errors and slow requests (see wrangler.toml).
    if (c.env.REQUEST_LOG !== "all" && c.res.status < 400 && ms < SLOW_REQUEST_MS) return;
    // One structured line. The route's pattern, not the path: a client API path holds the inbox
    // identifier and the session's source_id, which are that session's credentials, and a query
    // string may carry a token.
    console.log(
      JSON.stringify({
        request_id: c.var.requestId,
        method: c.req.method,
        route: routePath(c, -1),
        status: c.res.status,
        ms,
        d1_round_trips: c.var.d1?.roundTrips ?? 0,
      }),
    );
  });
  // The client API is called from browsers and end-user devices: CORS first (preflights never
  // count, and a 429 carries CORS headers too). Then each caller's budget, before any D1 work.
  app.use("/public/*", publicCors);
  app.use(rateLimits);
  app.use(database);
  // After `database`: the claim lives in D1.
  app.use("/api/v1/*", idempotency);
  app.use("/public/api/v1/*", publicIdempotency);

  for (const router of routers) app.route("/", router);

  const document: DocumentConfig = {
    openapi: "3.1.0",
    info: {
      title: "Konversio API",
      version: "1.0.0",
      description:
        "Chatwoot-compatible Application API (`/api/v1`), client API for API inboxes (`/public/api/v1`), " +
        "Platform API (`/platform/api/v1`) and health check. " +
        "POSTs under `/api/v1` and `/public/api/v1` accept an `Idempotency-Key` header (1-255 printable " +
        "characters): a repeat within 24 h " +
        "replays the first response with `Idempotent-Replayed: true`; see docs/api.md. " +
        "Each caller has a rate limit (per access token, platform token, console session, or inbox and client " +
        "address): every answer of these APIs carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` " +
        "and `RateLimit-Policy`, and over budget is `429 RATE_LIMITED` with `Retry-After`; see docs/api.md.",
    },
    security: [{ api_access_token: [] }],
  };
  // The generated document, with each operation's examples from a real run (a static asset).
  app.get("/openapi.json", async (c) => {
    const examples = await readExamples(c.env.ASSETS, new URL(c.req.url).origin);
    return c.json(withExamples(app.getOpenAPI31Document(document), examples));
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "api_access_token", {
    type: "apiKey",
    in: "header",
    name: "api_access_token",
    description:
      "An agent's access token. `npm run dev` prints the demo agent's; an agent sees their own on `GET " +
      "/api/v1/profile` and replaces it with " +
      "`POST /api/v1/profile/reset_access_token`; the operator issues one with the Platform API (`POST " +
      "/platform/api/v1/users`, " +
      "`POST /platform/api/v1/users/{id}/reset_access_token`); `POST /auth/sign_in` returns one for that session. " +
      "Also accepted as `Authorization: Bearer …` or the `api_access_token` query parameter.",
  });
  app.get("/swagger", swaggerPage);

  app.notFound(notFoundAnswer(app.routes));
  app.onError((err, c) => {
    if (err instanceof AppError) return c.json(errorBody(err), err.status, err.headers);
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json({ error: err.message || "Bad request", code: "BAD_REQUEST", details: [] }, status);
    }
    console.error(JSON.stringify({ request_id: c.var.requestId, error: String(err), stack: (err as Error)?.stack }));
    return c.json({ error: "Internal server error", code: "INTERNAL", details: [] }, 500);
  });
  return app;
}
