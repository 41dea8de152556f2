// Load with autocannon: one route at a time, against 127.0.0.1, with figures per route.
import autocannon from "autocannon";

/**
 * Runs autocannon on one request shape. `setupRequest(req, n)` may vary each request (n counts
 * requests across all connections). Resolves with req/s, latency percentiles and error counts.
 */
export function runLoad(
  baseUrl,
  { method = "GET", path, token, body, headers = {}, setupRequest, connections = 10, duration = 10, overallRate },
) {
  let n = 0;
  const request = {
    method,
    path,
    headers: {
      ...(token ? { api_access_token: token } : {}),
      ...(body || setupRequest ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    ...(setupRequest ? { setupRequest: (req) => setupRequest(req, n++) } : {}),
  };
  return new Promise((resolve, reject) => {
    const rate = overallRate ? { overallRate } : {};
    autocannon({ url: baseUrl, connections, duration, requests: [request], ...rate }, (err, result) => {
      if (err) return reject(err);
      resolve({
        // Completed requests over the run: for slow routes the per-second average rounds to nothing.
        rps: result.requests.total / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        total: result.requests.total,
        ok: result["2xx"],
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        statusCodes: result.statusCodeStats,
      });
    });
  });
}

/**
 * Waits until the server answers `GET /api` quickly again: requests autocannon left in flight are
 * still queued in workerd and D1 after it stops, and would be counted against the next route.
 */
export async function drain(baseUrl, { quickMs = 150, maxSeconds = 180 } = {}) {
  const deadline = performance.now() + maxSeconds * 1000;
  for (let quick = 0; quick < 2 && performance.now() < deadline; ) {
    const t0 = performance.now();
    await fetch(`${baseUrl}/api`).then(
      (r) => r.arrayBuffer(),
      () => null,
    );
    quick = performance.now() - t0 < quickMs ? quick + 1 : 0;
    if (!quick) await new Promise((r) => setTimeout(r, 250));
  }
}

/** The routes of the default bench, as request shapes over a seeded world. */
export function loadRoutes(world) {
  const [main] = world;
  const { base, admin, agent, inbox } = main;
  const [first, second] = main.contacts;
  const agentConversation = first.conversations[0].id;
  const publicConversation = second.conversations[0].id;
  const run = Date.now().toString(36);
  return [
    // The runtime's ceiling: the Worker, Hono and every middleware, no D1 (a static page, 200).
    { name: "runtime ceiling (GET /swagger, no D1)", method: "GET", path: "/swagger", ceiling: true },
    // The same, answered 404: REQUEST_LOG=errors writes its log line.
    { name: "unknown path (404 + log line, no D1)", method: "GET", path: "/api/v1/no-such-route" },
    { name: "GET /api (health, 1 D1 query)", method: "GET", path: "/api" },
    {
      name: "agent message create",
      method: "POST",
      path: `${base}/conversations/${agentConversation}/messages`,
      token: agent.token,
      setupRequest: (req, n) => ({ ...req, body: JSON.stringify({ content: `Agent load reply ${n}` }) }),
      webhookProbe: true,
    },
    {
      name: "public message create",
      method: "POST",
      path:
        `/public/api/v1/inboxes/${inbox.inbox_identifier}/contacts/${second.sourceId}` +
        `/conversations/${publicConversation}/messages`,
      // The client API allows 100 requests / 10 s per inbox + client IP: every request gets its own IP.
      setupRequest: (req, n) => ({
        ...req,
        headers: { ...req.headers, "cf-connecting-ip": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
        body: JSON.stringify({ content: `Customer load message ${n}` }),
      }),
    },
    { name: "conversation list", method: "GET", path: `${base}/conversations?status=all`, token: admin.token },
    {
      name: "contact create",
      method: "POST",
      path: `${base}/contacts`,
      token: admin.token,
      setupRequest: (req, n) => ({
        ...req,
        body: JSON.stringify({ name: `Load contact ${n}`, identifier: `load-${run}-${n}`, inbox_id: inbox.id }),
      }),
    },
  ];
}
