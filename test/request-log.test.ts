import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { as, createWorld } from "./helpers/factories";
import { client, ok } from "./helpers/public-client";

/**
 * The request log is read by operators and log pipelines: one line a request (with
 * REQUEST_LOG=all; errors and slow requests otherwise), with the route's pattern, never a
 * credential. A client API path holds the inbox identifier and the session's source_id
 * (together they open that end user's conversations), and a query string may carry a token.
 */
describe("request log", () => {
  const configured = env.REQUEST_LOG;
  afterEach(() => {
    vi.restoreAllMocks();
    env.REQUEST_LOG = configured;
  });
  const capture = () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    return lines;
  };
  const requestLines = (lines: string[]) => lines.map((l) => JSON.parse(l)).filter((l) => l.request_id);

  it("logs the route pattern, never an inbox identifier, a source_id or a token", async () => {
    env.REQUEST_LOG = "all";
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const lines = capture();
    const session = ok(await c.post("/contacts", { name: "Maya" }));
    const conv = ok(await c.post(`/contacts/${session.source_id}/conversations`));
    ok(await c.get(`/contacts/${session.source_id}/conversations/${conv.id}/messages`));
    await as(w.admin).get(`${w.base}/conversations?api_access_token=${w.admin.token}`);
    await c.get("/contacts/no-such-session");

    const requests = requestLines(lines);
    expect(requests.map((l) => `${l.method} ${l.route} ${l.status}`)).toEqual([
      "POST /public/api/v1/inboxes/:inbox_identifier/contacts 200",
      "POST /public/api/v1/inboxes/:inbox_identifier/contacts/:source_id/conversations 200",
      "GET /public/api/v1/inboxes/:inbox_identifier/contacts/:source_id/conversations/:conversation_id/messages 200",
      "GET /api/v1/accounts/:account_id/conversations 200",
      "GET /public/api/v1/inboxes/:inbox_identifier/contacts/:source_id 404",
    ]);
    const all = lines.join("\n");
    for (const secret of [
      w.inbox.identifier,
      session.source_id,
      session.pubsub_token,
      w.admin.token,
      "no-such-session",
    ])
      expect(all).not.toContain(secret);
  });

  it("by default logs only the answers of 400 and up, with their request id", async () => {
    expect(configured).toBe("errors");
    const w = await createWorld();
    const lines = capture();
    await as(w.admin).get(`${w.base}/conversations`);
    const missing = await as(w.admin).get(`${w.base}/conversations/999999`);
    await as({ token: "not-a-token" }).get(`${w.base}/conversations`);
    expect(requestLines(lines).map((l) => `${l.route} ${l.status}`)).toEqual([
      "/api/v1/accounts/:account_id/conversations/:conversation_id 404",
      "/api/v1/accounts/:account_id/conversations 401",
    ]);
    expect(requestLines(lines)[0].request_id).toBe(missing.headers.get("x-request-id"));
  });
});
