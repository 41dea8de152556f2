// `npm run bench [-- <mode>] [--flags]`: benchmarks of a local `wrangler dev` (via `npm run dev`
// on a free port with a fresh database). They print figures; nothing is asserted.
//
//   npm run bench                      # round trips, D1 work, load and webhook latency, then scale
//   npm run bench -- load              # only the load table (and webhook latency under load)
//   npm run bench -- round-trips       # only the D1 round trips per route
//   npm run bench -- webhooks          # webhook delivery latency alone: 200 replies, 10 at a time
//   npm run bench -- scale             # 100,000 conversations / 1,000,000 messages vs 1,000 (see scale.mjs)
//   npm run bench -- capacity          # D1 work per hot request (docs/scaling.md's capacity on paper)
//
// Flags (or BENCH_<NAME> environment variables): --duration 10 --connections 10 (load);
// --messages 200 --concurrency 10 --warmup 5 --wait-seconds 30 (webhooks); scale.mjs lists its own.
import { startDevServer } from "../dev-server.mjs";
import { mode, setting } from "./flags.mjs";
import { runLoadBench } from "./load-bench.mjs";
import { measureRoundTrips } from "./round-trips.mjs";
import { measureCapacity } from "./capacity.mjs";
import { runScaleBench } from "./scale.mjs";
import { seedAccount } from "./seed.mjs";
import { describeDeliveries, measureDeliveries, startReceiver } from "./webhooks.mjs";
import { client } from "./client.mjs";

const MODES = ["all", "load", "round-trips", "webhooks", "scale", "capacity"];

async function webhooksOnly(dev, receiver) {
  const messages = setting("messages", 200);
  const concurrency = Math.max(1, setting("concurrency", 10));
  const warmup = setting("warmup", 5);
  const waitSeconds = setting("wait-seconds", 30);
  const w = await seedAccount(dev.url, {
    name: "Webhooks",
    contacts: 1,
    messagesPerConversation: 0,
    webhookUrl: receiver.url,
  });
  const api = client(dev.url, w.agent.token);
  const path = `${w.base}/conversations/${w.contacts[0].conversations[0].id}/messages`;
  const reply = (i) => api.post(path, { content: `Reply ${i}` });
  // Replies sent (and awaited) before measuring, so the first requests' warm-up is not counted.
  for (let i = 0; i < warmup; i++) await reply(`warm-up ${i}`);
  const r = await measureDeliveries(receiver, reply, { count: messages, concurrency, waitSeconds });
  console.log(
    `\nKonversio webhook bench: local wrangler dev, ${messages} agent ` +
      `replies, concurrency ${concurrency} (after ${warmup} warm-up replies)`,
  );
  console.log(describeDeliveries(r, receiver));
}

async function main() {
  if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}: one of ${MODES.join(", ")}`);
  if (mode === "scale") return runScaleBench();
  console.log("Starting npm run dev with a fresh database...");
  const receiver = await startReceiver();
  // --var: local webhook URLs are allowed whatever the developer's own .dev.vars says.
  const dev = await startDevServer({ devArgs: ["--var", "ALLOW_PRIVATE_WEBHOOK_URLS:true"] });
  const stop = async () => {
    await receiver.close();
    await dev.stop();
  };
  process.once("SIGINT", () => stop().then(() => process.exit(130)));
  try {
    if (mode === "webhooks") return await webhooksOnly(dev, receiver);
    if (mode === "all" || mode === "round-trips") await measureRoundTrips(dev.url, receiver.url);
    if (mode === "all" || mode === "capacity") await measureCapacity(dev.url);
    if (mode === "all" || mode === "load") await runLoadBench(dev, receiver);
  } finally {
    await stop();
  }
  // Its own servers, on a database seeded for it.
  if (mode === "all") await runScaleBench();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
