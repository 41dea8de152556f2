// Webhook delivery latency: the time from sending an agent's POST .../messages to the arrival of
// that message's `message_created` at a receiver in this process (matched by message id),
// through the real outbox, local queue and consumer.
import { createServer } from "node:http";
import { ms, now, percentile, sleep } from "./stats.mjs";

/** A webhook receiver on 127.0.0.1: when each message's `message_created` arrived. */
export async function startReceiver() {
  const arrivals = new Map();
  let duplicates = 0;
  let received = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = now();
      res.writeHead(200).end();
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return;
      }
      if (body.event !== "message_created") return;
      received++;
      if (arrivals.has(body.id)) duplicates++;
      else arrivals.set(body.id, at);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    arrivals,
    received: () => received,
    duplicates: () => duplicates,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Sends `count` agent replies through `reply(i)` (which resolves with the created message),
 * `concurrency` at a time, or one every `intervalMs` when given; then waits up to `waitSeconds`
 * for their webhooks. Resolves with POST and delivery latencies.
 */
export async function measureDeliveries(
  receiver,
  reply,
  { count, concurrency = 1, intervalMs = 0, waitSeconds = 30, until } = {},
) {
  const sentAt = new Map();
  const postLatencies = [];
  let next = 0;
  const started = now();
  const more = () => (until ? !until() : next < count);
  const worker = async () => {
    while (more()) {
      const i = next++;
      const t0 = now();
      const message = await reply(i);
      postLatencies.push(now() - t0);
      sentAt.set(message.id, t0);
      if (intervalMs) await sleep(intervalMs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const postSeconds = (now() - started) / 1000;
  const missing = () => [...sentAt.keys()].filter((id) => !receiver.arrivals.has(id)).length;
  for (const deadline = now() + waitSeconds * 1000; missing() > 0 && now() < deadline; ) await sleep(50);

  const deliveries = [...sentAt]
    .filter(([id]) => receiver.arrivals.has(id))
    .map(([id, t0]) => receiver.arrivals.get(id) - t0)
    .sort((a, b) => a - b);
  postLatencies.sort((a, b) => a - b);
  // Deliveries per second over the whole run: below the POST rate, a backlog builds up and the
  // delivery latency grows with the number of messages.
  const lastArrival = Math.max(started, ...[...sentAt.keys()].map((id) => receiver.arrivals.get(id) ?? started));
  return {
    sent: sentAt.size,
    postRate: sentAt.size / postSeconds,
    postLatencies,
    deliveries,
    missing: missing(),
    deliveryRate: deliveries.length ? deliveries.length / ((lastArrival - started) / 1000) : 0,
  };
}

export function describeDeliveries(r, receiver) {
  return [
    `  agent POST .../messages  ${r.postRate.toFixed(1)} req/s; latency p50 ` +
      `${ms(percentile(r.postLatencies, 50))}, p99 ${ms(percentile(r.postLatencies, 99))}`,
    `  message_created webhook  ` +
      `${r.deliveries.length}/${r.sent} ` +
      `delivered${r.missing ? ` (${r.missing} missing when we stopped waiting)` : ""}, ${receiver.duplicates()} ` +
      `duplicates, ${r.deliveryRate.toFixed(1)}/s`,
    `                           POST sent -> received: p50 ${ms(percentile(r.deliveries, 50))}, ` +
      `p99 ${ms(percentile(r.deliveries, 99))}, max ${ms(r.deliveries.at(-1))}`,
  ].join("\n");
}
