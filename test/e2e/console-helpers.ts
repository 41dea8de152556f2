import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { freePort, projectRoot, type DevServer } from "./dev-server";

export const CHROMIUM = "/usr/bin/chromium";
/** Debian's chromium, headless; `extra` adds flags a test needs. A browser is never downloaded. */
export const launch = (extra: string[] = []) =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extra,
    ],
  });

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page; fails on serious or critical violations. */
export async function expectAccessible(page: Page, screen: string) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            o: object,
          ) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run(document, {
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad, `${screen}: accessibility violations`).toEqual([]);
}

/** Elements that stick out past the window's right edge, outside any element that scrolls sideways. */
const overflowing = (page: Page) =>
  page.evaluate(() => {
    const scrolls = (el: Element | null): boolean =>
      !!el && (["auto", "scroll"].includes(getComputedStyle(el).overflowX) || scrolls(el.parentElement));
    return Array.from(document.body.querySelectorAll("*"))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(el.parentElement))
      .map((el) => `${el.tagName.toLowerCase()}: ${(el.textContent ?? "").trim().slice(0, 60)}`);
  });

/**
 * Screenshots at a phone (390 px) and a desktop (1280 px) width into
 * docs/images/console-<name>-<width>.png; at each width nothing may stick out past the window.
 */
export async function screenshots(page: Page, name: string) {
  const original = page.viewportSize();
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(projectRoot, "docs", "images", `console-${name}-${width}.png`) });
    expect(await overflowing(page), `${name} at ${width} px`).toEqual([]);
  }
  if (original) await page.setViewportSize(original);
}

export type Received = { path: string; headers: IncomingHttpHeaders; body: string; json: Record<string, any> };

/** A webhook receiver on 127.0.0.1 that answers 200 and keeps every request. */
export async function startReceiver() {
  const port = await freePort();
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c) => (body += c));
    req.on("end", () => {
      let json: Record<string, any> = {};
      try {
        json = JSON.parse(body);
      } catch {
        /* not JSON */
      }
      received.push({ path: req.url ?? "/", headers: req.headers, body, json });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Whether a delivery carries a valid Standard Webhooks signature made with `secret` (whsec_…). */
export function signedWith(r: Received, secret: string) {
  const id = r.headers["webhook-id"];
  const timestamp = r.headers["webhook-timestamp"];
  const signatures = String(r.headers["webhook-signature"] ?? "").split(" ");
  const expected = createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64"))
    .update(`${id}.${timestamp}.${r.body}`)
    .digest("base64");
  return signatures.includes(`v1,${expected}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(150)) {
    const result = await check();
    if (result) return result as NonNullable<T>;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The Application API as the demo agent (its printed token), for arranging what a test needs;
 * `server` is read at each call, since the dev server starts in `beforeAll`. Expects a 200.
 */
export const agentApiOf = (server: () => DevServer) => async (method: string, route: string, body?: unknown) => {
  const { url, credentials } = server();
  const res = await fetch(`${url}/api/v1/accounts/${credentials.accountId}${route}`, {
    method,
    headers: { api_access_token: credentials.token, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${route}: ${res.status === 200 ? "" : await res.clone().text()}`).toBe(200);
  return res.json() as Promise<any>;
};

/** The client API of one inbox, as an end user's app calls it (JSON, or a FormData with files). Expects a 200. */
export const clientApiOf = (server: () => DevServer) => async (identifier: string, route: string, body?: unknown) => {
  const res = await fetch(`${server().url}/public/api/v1/inboxes/${identifier}${route}`, {
    method: body === undefined ? "GET" : "POST",
    ...(body instanceof FormData
      ? { body }
      : {
          headers: { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
  });
  expect(res.status, `client ${route}: ${res.status === 200 ? "" : await res.clone().text()}`).toBe(200);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as any;
};
