// `npm run bench`: webhook delivery latency, end to end, on a local `npm run dev`.
//
// Starts `npm run dev` on a free port with a fresh database, listens for webhooks on 127.0.0.1
// in this process, points the demo inbox's webhook_url there, opens a conversation and sends
// agent replies. For each reply it measures the time from sending the agent's POST to the
// arrival of that message's `message_created` (matched by message id), through the real
// outbox, local queue and consumer. It prints figures only; nothing is asserted.
//
//   npm run bench                                   # 200 replies, 10 at a time
//   npm run bench -- --messages 500 --concurrency 20
//   BENCH_MESSAGES=500 BENCH_CONCURRENCY=20 npm run bench
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { startDevServer } from "./dev-server.mjs";

const { values: flags } = parseArgs({
  options: {
    messages: { type: "string" },
    concurrency: { type: "string" },
    warmup: { type: "string" },
    "wait-seconds": { type: "string" },
  },
});
const setting = (flag, envName, fallback) => {
  const value = Number(flags[flag] ?? process.env[envName] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${flag} / ${envName} must be a whole number`);
  return value;
};
const MESSAGES = setting("messages", "BENCH_MESSAGES", 200);
const CONCURRENCY = Math.max(1, setting("concurrency", "BENCH_CONCURRENCY", 10));
// Replies sent (and awaited) before measuring, so the first requests' warm-up is not counted.
const WARMUP = setting("warmup", "BENCH_WARMUP", 5);
// How long to wait for webhooks still missing once every POST has been answered.
const WAIT_SECONDS = setting("wait-seconds", "BENCH_WAIT_SECONDS", 30);

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const ms = (value) => (value === undefined ? "n/a" : `${value.toFixed(1)} ms`);

/** A webhook receiver in this process: when each message's `message_created` arrived. */
async function startReceiver() {
  const arrivals = new Map();
  let duplicates = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = now();
      res.writeHead(200).end();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (body.event !== "message_created") return;
      if (arrivals.has(body.id)) duplicates++;
      else arrivals.set(body.id, at);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    arrivals,
    duplicates: () => duplicates,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function main() {
  console.log("Starting npm run dev with a fresh database...");
  // --var: local webhook URLs are allowed whatever the developer's own .dev.vars says.
  const dev = await startDevServer({ devArgs: ["--var", "ALLOW_PRIVATE_WEBHOOK_URLS:true"] });
  const receiver = await startReceiver();
  const stop = async () => {
    await receiver.close();
    await dev.stop();
  };
  process.once("SIGINT", () => stop().then(() => process.exit(130)));
  try {
    const { accountId, token, inboxId } = dev.credentials;
    const account = `${dev.url}/api/v1/accounts/${accountId}`;
    const api = async (method, path, body) => {
      const res = await fetch(`${account}${path}`, {
        method,
        headers: { api_access_token: token, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };

    await api("PATCH", `/inboxes/${inboxId}`, { channel: { webhook_url: receiver.url } });
    const contact = await api("POST", "/contacts", { name: "Bench", identifier: "bench-user", inbox_id: inboxId });
    const conversation = await api("POST", "/conversations", { inbox_id: inboxId, contact_id: contact.payload.contact.id });
    const reply = (i) => api("POST", `/conversations/${conversation.id}/messages`, { content: `Reply ${i}` });

    for (let i = 0; i < WARMUP; i++) await reply(`warm-up ${i}`);

    const sentAt = new Map();
    const postLatencies = [];
    let next = 0;
    const started = now();
    const worker = async () => {
      while (next < MESSAGES) {
        const i = next++;
        const t0 = now();
        const message = await reply(i);
        postLatencies.push(now() - t0);
        sentAt.set(message.id, t0);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, MESSAGES) }, worker));
    const postSeconds = (now() - started) / 1000;

    const missing = () => [...sentAt.keys()].filter((id) => !receiver.arrivals.has(id)).length;
    for (const deadline = now() + WAIT_SECONDS * 1000; missing() > 0 && now() < deadline; ) await sleep(50);

    const deliveries = [...sentAt]
      .filter(([id]) => receiver.arrivals.has(id))
      .map(([id, t0]) => receiver.arrivals.get(id) - t0)
      .sort((a, b) => a - b);
    postLatencies.sort((a, b) => a - b);
    // Deliveries per second over the whole run: below the POST rate, a backlog builds up and
    // the delivery latency grows with the number of messages.
    const lastArrival = Math.max(started, ...[...sentAt.keys()].map((id) => receiver.arrivals.get(id) ?? started));
    const deliveryRate = deliveries.length ? deliveries.length / ((lastArrival - started) / 1000) : 0;
    const stillMissing = missing();

    console.log(`
Konversio webhook bench: local wrangler dev, ${MESSAGES} agent replies, concurrency ${CONCURRENCY} (after ${WARMUP} warm-up replies)
  agent POST .../messages  ${(MESSAGES / postSeconds).toFixed(1)} req/s; latency p50 ${ms(percentile(postLatencies, 50))}, p99 ${ms(percentile(postLatencies, 99))}
  message_created webhook  ${deliveries.length}/${MESSAGES} delivered${stillMissing ? ` (${stillMissing} missing after waiting ${WAIT_SECONDS} s)` : ""}, ${receiver.duplicates()} duplicates, ${deliveryRate.toFixed(1)}/s
                           POST sent -> received: p50 ${ms(percentile(deliveries, 50))}, p99 ${ms(percentile(deliveries, 99))}, max ${ms(deliveries.at(-1))}`);
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
