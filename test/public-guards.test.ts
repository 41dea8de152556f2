import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { buildApp } from "../src/app";
import { allowedOrigins, originAllowed } from "../src/lib/origins";
import { api, type ApiResponse } from "./helpers/api";
import { createWorld, expectError, unique } from "./helpers/factories";
import { client, ok, startConversation } from "./helpers/public-client";

const scalar = async (query: string, ...params: unknown[]) =>
  (await env.DB.prepare(query)
    .bind(...params)
    .first<{ n: number }>())!.n;

/** Repeats that arrive while the first is running are told to retry (409 + Retry-After); none writes. */
function expectRetryLater(responses: ApiResponse[]) {
  for (const r of responses.filter((x) => x.status !== 200)) {
    expectError(r, 409);
    expect(r.headers.get("retry-after")).toBe("1");
  }
}

describe("client API: Idempotency-Key on every POST", () => {
  it("replays contact, conversation and message creates, sequential and concurrent, with one record each", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const contactKey = { "Idempotency-Key": unique("contact") };
    const contact = await c.post("/contacts", { name: "Once" }, contactKey);
    const contactAgain = await c.post("/contacts", { name: "Once" }, contactKey);
    expect(contactAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(contactAgain.text).toBe(contact.text);
    expect(await scalar("select count(*) n from contacts where account_id = ?", w.account.id)).toBe(1);

    const conversations = `/contacts/${contact.body.source_id}/conversations`;
    const convKey = { "Idempotency-Key": unique("conversation") };
    const convs = await Promise.all(Array.from({ length: 6 }, () => c.post(conversations, {}, convKey)));
    const done = convs.filter((r) => r.status === 200);
    expectRetryLater(convs);
    expect(new Set(done.map((r) => r.body.id)).size).toBe(1);
    expect(await scalar("select count(*) n from conversations where account_id = ?", w.account.id)).toBe(1);

    const messages = `${conversations}/${done[0].body.id}/messages`;
    const msgKey = { "Idempotency-Key": unique("message") };
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => c.post(messages, { content: "only once" }, msgKey)),
    );
    expect(burst.some((r) => r.status === 200)).toBe(true);
    expectRetryLater(burst);
    const after = await c.post(messages, { content: "only once" }, msgKey);
    expect(after.headers.get("idempotent-replayed")).toBe("true");
    expect(
      await scalar("select count(*) n from messages where account_id = ? and content = 'only once'", w.account.id),
    ).toBe(1);

    const reused = await c.post(messages, { content: "something else" }, msgKey);
    expectError(reused, 422);
    expect(reused.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await scalar("select count(*) n from messages where account_id = ?", w.account.id)).toBe(1);
  });
});

describe("client API: Idempotency-Key scope", () => {
  it("never replays one session's or inbox's answer to another that uses the same key", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const headers = { "Idempotency-Key": "same-key-everywhere" };
    const a = await startConversation(client(w.inbox.identifier));
    const b = await startConversation(client(w.inbox.identifier));
    const elsewhere = await startConversation(client(other.inbox.identifier));
    const sent = [
      await client(w.inbox.identifier).post(`${a.path}/messages`, { content: "same body" }, headers),
      await client(w.inbox.identifier).post(`${b.path}/messages`, { content: "same body" }, headers),
      await client(other.inbox.identifier).post(`${elsewhere.path}/messages`, { content: "same body" }, headers),
      await client(w.inbox.identifier).post("/contacts", { name: "Same" }, headers),
      await client(other.inbox.identifier).post("/contacts", { name: "Same" }, headers),
    ];
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sent.map((r) => r.headers.get("idempotent-replayed"))).toEqual([null, null, null, null, null]);
    expect(new Set(sent.slice(0, 3).map((r) => r.body.id)).size).toBe(3);
    expect(sent[3].body.source_id).not.toBe(sent[4].body.source_id);
  });
});

describe("client API: browsers and abuse", () => {
  it("answers CORS preflights and puts CORS headers on successes and errors", async () => {
    const w = await createWorld();
    const preflight = await api("OPTIONS", `/public/api/v1/inboxes/${w.inbox.identifier}/contacts`, undefined, {
      headers: {
        Origin: "https://chat.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    const shown = await api("GET", `/public/api/v1/inboxes/${w.inbox.identifier}`, undefined, {
      headers: { Origin: "https://chat.example.com" },
    });
    expect(shown.headers.get("access-control-allow-origin")).toBe("*");
    expect(shown.headers.get("access-control-expose-headers")).toContain("Retry-After");
    // The budget (test/rate-limits.test.ts) is readable by the page too.
    expect(shown.headers.get("access-control-expose-headers")).toContain("RateLimit-Remaining");
    const missing = await api("GET", "/public/api/v1/inboxes/nope", undefined, {
      headers: { Origin: "https://chat.example.com" },
    });
    expectError(missing, 404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("*");
    // The Application API is not opened to browsers.
    const app = await api("GET", `/api/v1/accounts/${w.account.id}/contacts`, undefined, {
      headers: { Origin: "https://chat.example.com" },
    });
    expect(app.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("reads the allowed origins setting: any, or a list", () => {
    expect(allowedOrigins(undefined)).toBe("*");
    expect(allowedOrigins(" * ")).toBe("*");
    expect(allowedOrigins("https://a.example, https://B.example/")).toEqual(["https://a.example", "https://b.example"]);
    expect(originAllowed("https://a.example", "https://a.example")).toBe(true);
    expect(originAllowed("https://a.example", "https://evil.example")).toBe(false);
    expect(originAllowed("https://a.example", undefined)).toBe(true);
  });

  it("refuses oversize bodies with 413 and stores nothing", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    const huge = JSON.stringify({ content: "x".repeat(3 * 1024 * 1024) });
    const res = await api("POST", `${c.base}${s.path}/messages`, undefined, {
      raw: huge,
      headers: { "content-type": "application/json" },
    });
    expectError(res, 413);
    expect(await scalar("select count(*) n from messages where account_id = ?", w.account.id)).toBe(0);
    expectError(await c.post("/contacts", { name: "x".repeat(300) }), 422);
    expectError(
      await api("POST", `${c.base}/contacts`, undefined, { raw: "name=x", headers: { "content-type": "text/csv" } }),
      415,
    );
    ok(await c.get(""));
  });
});

describe("client API: a restricted list of allowed origins", () => {
  it("lets listed pages call it, and gives other pages no CORS grant", async () => {
    const app = buildApp();
    const restricted = { ...env, PUBLIC_API_ALLOWED_ORIGINS: "https://chat.example.com, https://shop.example.com" };
    const w = await createWorld();
    const call = (origin: string, method = "GET") =>
      app.fetch(
        new Request(`http://konversio.test/public/api/v1/inboxes/${w.inbox.identifier}`, {
          method,
          headers: { Origin: origin, "Access-Control-Request-Method": "GET" },
        }),
        restricted,
        { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext,
      );
    const listed = await call("https://shop.example.com");
    expect(listed.status).toBe(200);
    expect(listed.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(listed.headers.get("vary")).toContain("Origin");
    const other = await call("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await call("https://evil.example", "OPTIONS");
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});
