import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { createWorld } from "./helpers/factories";

describe("GET /api", () => {
  it("answers without authentication", async () => {
    const res = await api("GET", "/api");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ queue_services: "ok", data_services: "ok", version: expect.any(String) });
  });

  it("accepts a trailing slash and reports D1 round trips", async () => {
    const res = await api("GET", "/api/");
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(
      /^d1;desc="1 round trips";dur=\d+(\.\d+)?, realtime;desc="0 hub calls"$/,
    );
  });

  it("answers unknown routes with the JSON error envelope", async () => {
    const res = await api("GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: "Route not found: the API's routes are listed at /swagger (and /openapi.json)",
      code: "NOT_FOUND",
      details: [],
    });
  });

  it("answers a wrong method on a known route with 405 and Allow", async () => {
    const w = await createWorld();
    const cases: [string, string, string][] = [
      ["DELETE", `${w.base}/conversations`, "GET, HEAD, POST"],
      ["PUT", "/api", "GET, HEAD"],
      ["POST", `${w.base}/contacts/5`, "DELETE, GET, HEAD, PATCH, PUT"],
      [
        "GET",
        `/public/api/v1/inboxes/${w.inbox.identifier}/contacts/some-source/conversations/1/messages/2`,
        "PATCH, PUT",
      ],
      ["DELETE", "/auth/sign_in", "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await api(method, path, method === "GET" ? undefined : {});
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(res.body).toEqual({
        error: `Method ${method} is not allowed on this route; allowed: ${allow}`,
        code: "METHOD_NOT_ALLOWED",
        details: [],
      });
      expect(res.text).not.toContain(w.inbox.identifier);
    }
    // A path no route has stays a 404, whatever the method.
    expect((await api("DELETE", "/api/v1/nope")).status).toBe(404);
  });
});
