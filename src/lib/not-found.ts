import type { Context } from "hono";

type Route = { method: string; path: string };

/** A route pattern (`/api/v1/accounts/:account_id/contacts`) as a regular expression over paths. */
const toMatcher = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
      .replace(/\/:[^/]+/g, "/[^/]+")
      .replace(/\/\*$/, "(?:/.*)?")}$`,
  );

/**
 * The answer for a request no route took: a `405` with `Allow` when the path exists for other
 * methods, otherwise a `404` that points to the route list. Neither repeats the path (a client API
 * path carries the session's credentials).
 */
export function notFoundAnswer(routes: readonly Route[]) {
  let table: { matcher: RegExp; method: string }[] | undefined;
  return (c: Context) => {
    table ??= routes.filter((r) => r.method !== "ALL").map((r) => ({ matcher: toMatcher(r.path), method: r.method }));
    const methods = [...new Set(table.filter((r) => r.matcher.test(c.req.path)).map((r) => r.method))];
    if (methods.includes("GET")) methods.push("HEAD");
    if (methods.length > 0 && !methods.includes(c.req.method)) {
      const allow = methods.sort().join(", ");
      return c.json(
        {
          error: `Method ${c.req.method} is not allowed on this route; allowed: ${allow}`,
          code: "METHOD_NOT_ALLOWED",
          details: [],
        },
        405,
        { Allow: allow },
      );
    }
    return c.json(
      {
        error: "Route not found: the API's routes are listed at /swagger (and /openapi.json)",
        code: "NOT_FOUND",
        details: [],
      },
      404,
    );
  };
}
