import { existsSync } from "node:fs";
import { validate } from "@readme/openapi-parser";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, launch } from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

describe("Swagger UI at /swagger", () => {
  let server: DevServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser] = await Promise.all([startDevServer(), launch()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("serves a document a real OpenAPI 3.1 validator accepts", async () => {
    const spec = await (await fetch(`${server.url}/openapi.json`)).json();
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(spec));
    expect(result.valid ? [] : result.errors.map((e) => e.message)).toEqual([]);
    // With the examples recorded from a real run (public/openapi/examples.json, read through ASSETS).
    const create = spec.paths["/api/v1/accounts/{account_id}/contacts"].post;
    expect(create.requestBody.content["application/json"].example).toHaveProperty("name");
    expect(create.responses["200"].content["application/json"].example.payload.contact).toHaveProperty("id");
  });

  it("renders every operation of /openapi.json without leaving 127.0.0.1", async () => {
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      info: { title: string };
      paths: Record<string, Record<string, unknown>>;
    };
    const methods = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);
    const operations = Object.values(spec.paths).flatMap((item) => Object.keys(item).filter((k) => methods.has(k)));
    expect(spec.info.title).toBe("Konversio API");
    expect(operations.length).toBeGreaterThan(0);

    const context = await browser.newContext();
    const requested: string[] = [];
    const offHost: string[] = [];
    // Record every request; anything not for the dev server is recorded and refused, so the test
    // fails on it instead of waiting on a network this machine may not have.
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      requested.push(url.href);
      const local = url.hostname === "127.0.0.1" || url.protocol === "data:" || url.protocol === "blob:";
      if (local) return route.continue();
      offHost.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(String(err)));

    const res = await page.goto(`${server.url}/swagger`);
    expect(res?.status()).toBe(200);
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });

    expect(await page.title()).toBe("Konversio API");
    expect(await page.locator(".information-container .title").textContent()).toContain("Konversio API");
    // Swagger UI renders a long document lazily (only what is near the viewport): walk the page
    // from top to bottom and collect every operation block it renders on the way.
    const seen = new Set<string>();
    for (let previous = -1; ; ) {
      for (const id of await page.locator(".opblock").evaluateAll((els) => els.map((e) => e.id))) seen.add(id);
      const y = await page.evaluate(() => {
        window.scrollBy(0, window.innerHeight / 2);
        return window.scrollY;
      });
      if (y === previous) break;
      previous = y;
      await page.waitForTimeout(50);
    }
    expect(seen.size).toBe(operations.length);
    expect(requested).toContain(`${server.url}/openapi.json`);
    expect(requested).toContain(`${server.url}/swagger-ui/swagger-ui-bundle.js`);
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
