import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../src/index";
import { RATE_LIMITS, type RateLimitKind, WindowCounter } from "../src/lib/rate-limits";
import { api, type ApiResponse } from "./helpers/api";
import { attachBot, createBot } from "./helpers/bots";
import { as, createConversation, createWorld, expectError, platform, unique } from "./helpers/factories";
import { client } from "./helpers/public-client";
import { consoleSession, onCookie } from "./helpers/sessions";

const scalar = async (query: string, ...params: unknown[]) =>
  (await env.DB.prepare(query)
    .bind(...params)
    .first<{ n: number }>())!.n;

const num = (res: ApiResponse, name: string) => Number(res.headers.get(name));

/**
 * wrangler.toml's local budgets are far above what a test spends; these tests swap one of them
 * for TEST_TIGHT_RATE_LIMITER, a real limiter binding of 3 requests a minute (vitest.config.ts),
 * with its numbers in the budget's vars, exactly as a deployment configures one.
 */
function tightened(kind: RateLimitKind): Env {
  const { binding, limitVar, periodVar } = RATE_LIMITS[kind];
  return {
    ...env,
    [binding]: env.TEST_TIGHT_RATE_LIMITER,
    [limitVar]: env.TEST_TIGHT_RATE_LIMIT,
    [periodVar]: env.TEST_TIGHT_RATE_PERIOD_SECONDS,
  };
}

/** Calls the worker with these bindings, as helpers/api.ts does with the test's own. */
async function call(
  bindings: Env,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<ApiResponse> {
  const headers = { ...opts.headers, ...(opts.body === undefined ? {} : { "content-type": "application/json" }) };
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const res = await worker.fetch(
    new Request(new URL(path, "http://konversio.test"), { method, headers, body }),
    bindings,
    createExecutionContext(),
  );
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
}

/**
 * The limiter counts in fixed windows aligned to the period: starting a few seconds before one
 * ends would give a fresh budget mid-test. Waits for the next window when this one is nearly over.
 */
async function freshWindow() {
  const periodMs = Number(env.TEST_TIGHT_RATE_PERIOD_SECONDS) * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
}

/** Spends a tight budget of 3: three answers, then a 429, with Remaining counting down to 0. */
async function exhaust(send: () => Promise<ApiResponse>) {
  const answers = [await send(), await send(), await send(), await send()];
  expect(
    answers.map((r) => r.status === 429),
    answers.map((r) => `${r.status} ${r.text}`).join("\n"),
  ).toEqual([false, false, false, true]);
  expect(answers.map((r) => r.headers.get("ratelimit-remaining"))).toEqual(["2", "1", "0", "0"]);
  return answers[3];
}

/** The 429 of a tight budget: the envelope, Retry-After and every RateLimit-* field. */
function expectLimited(res: ApiResponse, who: RegExp) {
  expectError(res, 429, who);
  expect(res.body.code).toBe("RATE_LIMITED");
  expect(res.body.details).toEqual([]);
  expect(res.headers.get("ratelimit-limit")).toBe("3");
  expect(res.headers.get("ratelimit-remaining")).toBe("0");
  expect(res.headers.get("ratelimit-policy")).toBe("3;w=60");
  const retryAfter = num(res, "retry-after");
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(num(res, "ratelimit-reset")).toBe(retryAfter);
}

/** The RateLimit-* fields of an answer under one of wrangler.toml's local budgets. */
function expectBudget(res: ApiResponse, kind: RateLimitKind) {
  const { limitVar, periodVar } = RATE_LIMITS[kind];
  const limit = env[limitVar];
  const period = Number(env[periodVar]);
  expect(res.headers.get("ratelimit-limit"), res.text).toBe(limit);
  expect(res.headers.get("ratelimit-policy")).toBe(`${limit};w=${period}`);
  expect(num(res, "ratelimit-remaining")).toBeLessThan(Number(limit));
  expect(num(res, "ratelimit-reset")).toBeGreaterThanOrEqual(1);
  expect(num(res, "ratelimit-reset")).toBeLessThanOrEqual(period);
}

/** One request later, one fewer left (or a new window began in between). */
function expectSpent(before: ApiResponse, after: ApiResponse) {
  const rolled = num(after, "ratelimit-reset") > num(before, "ratelimit-reset");
  if (!rolled) expect(num(after, "ratelimit-remaining")).toBe(num(before, "ratelimit-remaining") - 1);
}

describe("rate limits: every answer tells the budget", () => {
  it("per access token, in each form it is presented, errors included", async () => {
    const w = await createWorld();
    const first = await as(w.admin).get("/api/v1/profile");
    expect(first.status).toBe(200);
    expectBudget(first, "api");
    // A fresh key: this isolate has seen exactly one request of it.
    expect(num(first, "ratelimit-remaining")).toBe(Number(env.API_RATE_LIMIT) - 1);
    const bearer = await api("GET", "/api/v1/profile", undefined, {
      headers: { authorization: `Bearer ${w.admin.token}` },
    });
    expectSpent(first, bearer);
    const query = await api("GET", "/api/v1/profile", undefined, { query: { api_access_token: w.admin.token } });
    expectSpent(bearer, query);
    const missing = await as(w.admin).get(`${w.base}/contacts/999999`);
    expectError(missing, 404);
    expectSpent(query, missing);
    // A wrong token is refused by the token check, after the limiter: it has a budget of its own.
    const wrong = await as({ token: "not-a-token" }).get("/api/v1/profile");
    expectError(wrong, 401);
    expectBudget(wrong, "api");
  });

  it("per agent bot token", async () => {
    const w = await createWorld();
    const bot = await createBot(w);
    await attachBot(w, w.inbox.id, bot.id);
    const { path } = await createConversation(w);
    const shown = await as(bot).get(path);
    expect(shown.status, shown.text).toBe(200);
    expectBudget(shown, "api");
    expect(num(shown, "ratelimit-remaining")).toBe(Number(env.API_RATE_LIMIT) - 1);
    expectSpent(shown, await as(bot).get(path));
  });

  it("per platform token", async () => {
    const w = await createWorld();
    const first = await platform().get(`/platform/api/v1/accounts/${w.account.id}`);
    expect(first.status).toBe(200);
    expectBudget(first, "platform");
    expectSpent(first, await platform().get(`/platform/api/v1/accounts/${w.account.id}`));
    expectBudget(await api("GET", "/platform/api/v1/agent_bots"), "platform");
  });

  it("per inbox and client address on the client API, readable by browser scripts", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier, { ip: "198.51.100.20" });
    const first = await c.get("");
    expect(first.status).toBe(200);
    expectBudget(first, "public");
    expect(num(first, "ratelimit-remaining")).toBe(Number(env.PUBLIC_RATE_LIMIT) - 1);
    const second = await api("GET", c.base, undefined, {
      headers: { origin: "https://chat.example.com", "cf-connecting-ip": "198.51.100.20" },
    });
    expectSpent(first, second);
    const exposed = second.headers.get("access-control-expose-headers") ?? "";
    for (const name of ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"])
      expect(exposed).toContain(name);
    // Preflights spend nothing and say nothing about the budget.
    const preflight = await api("OPTIONS", `${c.base}/contacts`, undefined, {
      headers: { origin: "https://chat.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("ratelimit-limit")).toBeNull();
  });

  it("per console session, on the Application API and /auth alike", async () => {
    const w = await createWorld();
    const s = await consoleSession(w.admin.email, "198.51.100.30");
    // The sign-in itself has no session yet: the client address pays.
    expectBudget(s.res, "console");
    const profile = await api("GET", "/api/v1/profile", undefined, onCookie(s.cookie));
    expect(profile.status, profile.text).toBe(200);
    expectBudget(profile, "console");
    expect(num(profile, "ratelimit-remaining")).toBe(Number(env.CONSOLE_RATE_LIMIT) - 1);
    const validated = await api("GET", "/auth/validate_token", undefined, onCookie(s.cookie));
    expect(validated.status).toBe(200);
    expectSpent(profile, validated);
    const created = await api("POST", `${w.base}/contacts`, { name: "From the console" }, onCookie(s.cookie, s.csrf));
    expect(created.status, created.text).toBe(200);
    expectSpent(validated, created);
  });

  it("leaves the health check, the documentation and the console's files unlimited", async () => {
    for (const path of ["/api", "/openapi.json", "/swagger"]) {
      const res = await api("GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("ratelimit-limit"), path).toBeNull();
    }
  });
});

// Up to 10 s of waiting for a fresh window (`freshWindow`).
describe("rate limits: over budget", { timeout: 30_000 }, () => {
  it("answers 429 per access token, writes nothing, and leaves other tokens alone", async () => {
    await freshWindow();
    const w = await createWorld();
    const bot = await createBot(w);
    const tight = tightened("api");
    const limited = await exhaust(() =>
      call(tight, "GET", "/api/v1/profile", { headers: { api_access_token: w.admin.token } }),
    );
    expectLimited(limited, /^Too many requests with this access token/);
    // Every form of the same token is the same budget.
    const bearer = await call(tight, "GET", "/api/v1/profile", {
      headers: { authorization: `Bearer ${w.admin.token}` },
    });
    expectLimited(bearer, /access token/);
    const key = unique("limited");
    const claims = await scalar("select count(*) n from idempotency_keys");
    const write = await call(tight, "POST", `${w.base}/contacts`, {
      headers: { api_access_token: w.admin.token, "idempotency-key": key },
      body: { name: "Never stored" },
    });
    expectLimited(write, /access token/);
    expect(await scalar("select count(*) n from contacts where account_id = ?", w.account.id)).toBe(0);
    expect(await scalar("select count(*) n from idempotency_keys")).toBe(claims);
    // Another agent's token, a bot's token and the same user's console session each have their own.
    const other = await call(tight, "GET", "/api/v1/profile", { headers: { api_access_token: w.agent.token } });
    expect(other.status).toBe(200);
    expect(other.headers.get("ratelimit-remaining")).toBe("2");
    const botCall = await call(tight, "GET", `${w.base}/conversations/999999`, {
      headers: { api_access_token: bot.token },
    });
    expect(botCall.status).toBe(404);
    expect(botCall.headers.get("ratelimit-remaining")).toBe("2");
    const s = await consoleSession(w.admin.email, "198.51.100.40");
    const onSession = await call(tight, "GET", "/api/v1/profile", onCookie(s.cookie));
    expect(onSession.status).toBe(200);
  });

  it("answers 429 per console session, not per user or token", async () => {
    await freshWindow();
    const w = await createWorld();
    const s = await consoleSession(w.admin.email, "198.51.100.50");
    const tight = tightened("console");
    const limited = await exhaust(() => call(tight, "GET", "/api/v1/profile", onCookie(s.cookie)));
    expectLimited(limited, /^Too many requests in this session/);
    expectLimited(await call(tight, "GET", "/auth/validate_token", onCookie(s.cookie)), /session/);
    const write = await call(tight, "POST", `${w.base}/contacts`, {
      ...onCookie(s.cookie, s.csrf),
      body: { name: "Never stored" },
    });
    expectLimited(write, /session/);
    expect(await scalar("select count(*) n from contacts where account_id = ?", w.account.id)).toBe(0);
    // Another session of the same user, and the user's own token, are other budgets.
    const again = await consoleSession(w.admin.email, "198.51.100.51");
    const otherSession = await call(tight, "GET", "/api/v1/profile", onCookie(again.cookie));
    expect(otherSession.status).toBe(200);
    expect(otherSession.headers.get("ratelimit-remaining")).toBe("2");
    const token = await call(tight, "GET", "/api/v1/profile", { headers: { api_access_token: w.admin.token } });
    expect(token.status).toBe(200);
    expect(token.headers.get("ratelimit-limit")).toBe(env.API_RATE_LIMIT);
  });

  it("answers 429 per platform token, and creates nothing", async () => {
    await freshWindow();
    const w = await createWorld();
    const token = env.PLATFORM_API_TOKEN;
    const tight = tightened("platform");
    const path = `/platform/api/v1/accounts/${w.account.id}`;
    const limited = await exhaust(() => call(tight, "GET", path, { headers: { api_access_token: token } }));
    expectLimited(limited, /^Too many requests with this platform token/);
    const name = unique("Never created");
    const create = await call(tight, "POST", "/platform/api/v1/accounts", {
      headers: { api_access_token: token },
      body: { name },
    });
    expectLimited(create, /platform token/);
    expect(await scalar("select count(*) n from accounts where name = ?", name)).toBe(0);
    // Any other token (refused by the token check) and callers without one are budgets of their own.
    expectError(await call(tight, "GET", path, { headers: { api_access_token: "wrong" } }), 401);
    expectError(await call(tight, "GET", path), 401);
  });

  it("answers 429 per inbox and client address, with CORS, and stores nothing", async () => {
    await freshWindow();
    const w = await createWorld();
    const other = await createWorld("Other");
    const tight = tightened("public");
    const base = `/public/api/v1/inboxes/${w.inbox.identifier}`;
    const from = (ip: string) => ({ headers: { "cf-connecting-ip": ip, origin: "https://chat.example.com" } });
    const limited = await exhaust(() => call(tight, "GET", base, from("203.0.113.7")));
    expectLimited(limited, /^Too many requests for this inbox from your address/);
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    const write = await call(tight, "POST", `${base}/contacts`, { ...from("203.0.113.7"), body: { name: "blocked" } });
    expectLimited(write, /inbox/);
    expect(await scalar("select count(*) n from contacts where account_id = ?", w.account.id)).toBe(0);
    // Another address on the same inbox, and the same address on another inbox, still get through.
    const otherAddress = await call(tight, "GET", base, from("203.0.113.8"));
    expect(otherAddress.status).toBe(200);
    expect(otherAddress.headers.get("ratelimit-remaining")).toBe("2");
    const otherInbox = await call(
      tight,
      "GET",
      `/public/api/v1/inboxes/${other.inbox.identifier}`,
      from("203.0.113.7"),
    );
    expect(otherInbox.status).toBe(200);
  });
});

describe("rate limits: the Remaining estimate", () => {
  const policy = { limit: 5, period: 10 };

  it("counts in windows aligned to the period and starts over in the next", () => {
    const counter = new WindowCounter();
    const t = 1_000_000_000_000; // a multiple of 10 s
    expect(counter.hit("a", policy, true, t + 1_000)).toEqual({ remaining: 4, reset: 9 });
    expect(counter.hit("a", policy, true, t + 9_500)).toEqual({ remaining: 3, reset: 1 });
    expect(counter.hit("a", policy, true, t + 10_000)).toEqual({ remaining: 4, reset: 10 });
    // Refused by the binding: nothing left, whatever this isolate has seen.
    expect(counter.hit("a", policy, false, t + 10_001)).toEqual({ remaining: 0, reset: 10 });
    for (let i = 0; i < 6; i++) counter.hit("b", policy, true, t + 10_002);
    expect(counter.hit("b", policy, true, t + 10_003).remaining).toBe(0);
  });

  it("keeps at most its bound of keys, dropping the least recently used", () => {
    const counter = new WindowCounter(3);
    const t = 1_000_000_000_000;
    for (const key of ["a", "b", "c"]) counter.hit(key, policy, true, t);
    counter.hit("a", policy, true, t);
    counter.hit("d", policy, true, t);
    expect(counter.size).toBe(3);
    // "b" was dropped (its count starts over); "a" was kept.
    expect(counter.hit("b", policy, true, t).remaining).toBe(4);
    expect(counter.hit("a", policy, true, t).remaining).toBe(2);
  });
});
