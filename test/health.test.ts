import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";

describe("GET /api", () => {
  it("answers without authentication", async () => {
    const res = await api("GET", "/api");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ queue_services: "ok", data_services: "ok", version: expect.any(String) });
  });

  it("accepts a trailing slash and reports D1 round trips", async () => {
    const res = await api("GET", "/api/");
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/^d1;desc="1 round trips";dur=\d+(\.\d+)?$/);
  });

  it("answers unknown routes with the JSON error envelope", async () => {
    const res = await api("GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "Route not found", code: "NOT_FOUND", details: [] });
  });
});
