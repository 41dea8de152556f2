import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";

describe("the console's entry points", () => {
  it("sends / and /login to the console under /app", async () => {
    for (const path of ["/", "/login"]) {
      const res = await api("GET", path);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/app/");
    }
  });
});
