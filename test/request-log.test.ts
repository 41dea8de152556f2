import { afterEach, describe, expect, it, vi } from "vitest";
import { as, createWorld } from "./helpers/factories";
import { client, ok } from "./helpers/public-client";

/**
 * The request log is read by operators and log pipelines: one line a request, with the route's
 * pattern, never a credential. A client API path holds the inbox identifier and the session's
 * source_id (together they open that end user's conversations), and a query string may carry a token.
 */
describe("request log", () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs the route pattern, never an inbox identifier, a source_id or a token", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const session = ok(await c.post("/contacts", { name: "Maya" }));
    const conv = ok(await c.post(`/contacts/${session.source_id}/conversations`));
    ok(await c.get(`/contacts/${session.source_id}/conversations/${conv.id}/messages`));
    await as(w.admin).get(`${w.base}/conversations?api_access_token=${w.admin.token}`);
    await c.get("/contacts/no-such-session");

    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.request_id);
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
});
