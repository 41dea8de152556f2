// The soak's HTTP client: retries as a careful integrator does. A request keeps its
// Idempotency-Key and its exact body across attempts, and is retried on network errors, 5xx,
// 429 and 409 IDEMPOTENCY_KEY_IN_USE (a claim left behind by a request that died with the
// server holds its key for up to a minute). The base URL is read on every attempt, because a
// restarted `wrangler dev` listens on a new port.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Client-side counters, shared by every caller of one soak. */
export const clientStats = {
  requests: 0,
  attempts: 0,
  retries: 0,
  networkErrors: 0,
  byStatus: {},
  gaveUp: 0,
  rejected: 0,
};

const retryable = (status, code) =>
  status >= 500 || status === 429 || (status === 409 && code === "IDEMPOTENCY_KEY_IN_USE");

/**
 * Sends one logical request until it gets a final answer or `giveUpMs` passes.
 * Resolves `{ status, body, replayed }` for a 2xx; throws for a final error or when giving up.
 */
export async function call(target, method, path, { body, headers = {}, key, giveUpMs = 180_000 } = {}) {
  clientStats.requests++;
  const text = body === undefined ? undefined : JSON.stringify(body);
  const started = Date.now();
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) clientStats.retries++;
    clientStats.attempts++;
    let status = null;
    let code;
    let retryAfter = 0;
    try {
      const res = await fetch(`${target.url}${path}`, {
        method,
        headers: {
          ...(text === undefined ? {} : { "content-type": "application/json" }),
          ...(key ? { "Idempotency-Key": key } : {}),
          ...headers,
        },
        body: text,
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      const raw = await res.text();
      clientStats.byStatus[status] = (clientStats.byStatus[status] ?? 0) + 1;
      const json = raw ? JSON.parse(raw) : null;
      if (res.ok) return { status, body: json, replayed: res.headers.get("idempotent-replayed") === "true" };
      code = json?.code;
      retryAfter = Number(res.headers.get("retry-after") ?? 0);
      if (!retryable(status, code)) {
        clientStats.rejected++;
        throw Object.assign(new Error(`${method} ${path}: ${status} ${raw.slice(0, 300)}`), { final: true });
      }
    } catch (err) {
      if (err.final) throw err;
      if (status === null) clientStats.networkErrors++;
    }
    if (Date.now() - started > giveUpMs) {
      clientStats.gaveUp++;
      throw new Error(
        `${method} ${path}: gave up after ${attempt} attempts (last status ${status ?? "network error"})`,
      );
    }
    const wait = retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : delay;
    await sleep(wait * (0.8 + Math.random() * 0.4));
    delay = Math.min(delay * 2, 3_000);
  }
}
