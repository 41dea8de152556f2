// The load table: req/s and latency per route under autocannon, each compared with three
// references measured in the same run: the floor worker (one D1 insert + one queue send, nothing
// else), a bare Hono route, and Konversio's own ceiling (a route that does no D1 work); plus
// webhook delivery latency while agent messages load.
import { client } from "./client.mjs";
import { setting } from "./flags.mjs";
import { drain, runLoad, loadRoutes } from "./load.mjs";
import { seedWorld } from "./seed.mjs";
import { ms, percentile, rate, table } from "./stats.mjs";
import { measureDeliveries } from "./webhooks.mjs";
import { startReference } from "./reference.mjs";
import { cpuPerRequest, cpuSnapshot } from "./cpu.mjs";

/** One load, with the CPU it took per request (`cpu`, null without /proc). */
async function measured(url, shape) {
  const before = cpuSnapshot();
  const r = await runLoad(url, shape);
  return { ...r, cpu: cpuPerRequest(before, cpuSnapshot(), r.total) };
}

const cpuCells = (cpu) =>
  cpu
    ? [cpu.wrangler, cpu.workerd, cpu.bench, cpu.total].map((v) => `${v.toFixed(1)} ms`)
    : ["n/a", "n/a", "n/a", "n/a"];

/** Loads a reference worker the way the routes are loaded (a 1 s warm-up first) and stops it. */
async function reference(name, shape, connections, duration) {
  process.stdout.write(`  reference: ${name}: ${duration} s, ${connections} connections... `);
  const worker = await startReference(name);
  try {
    await runLoad(worker.url, { ...shape, connections: 2, duration: 1 });
    const r = await measured(worker.url, { ...shape, connections, duration });
    console.log(`${rate(r.rps)} req/s`);
    return r;
  } finally {
    await worker.stop();
  }
}

export async function runLoadBench(dev, receiver) {
  const duration = setting("duration", 10);
  const connections = Math.max(1, setting("connections", 10));
  console.log("\nSeeding 3 accounts through the Platform and Application APIs...");
  const world = await seedWorld(dev.url, { accounts: 3, contacts: 4, webhookUrl: receiver.url });
  const [main] = world;
  const probe = client(dev.url, main.agent.token);
  const probePath = `${main.base}/conversations/${main.contacts[2].conversations[0].id}/messages`;

  const floorShape = {
    method: "POST",
    path: "/",
    setupRequest: (req, n) => ({ ...req, body: JSON.stringify({ content: `Floor write ${n}` }) }),
  };
  const floor = await reference("floor", floorShape, connections, duration);
  const hono = await reference("hono", { method: "GET", path: "/" }, connections, duration);
  const ratio = (rps, of) => `${(rps / of).toFixed(2)}×`;
  const cpuRows = [
    ["floor worker", ...cpuCells(floor.cpu)],
    ["bare Hono route", ...cpuCells(hono.cpu)],
  ];
  const rows = [
    [
      "floor worker (1 D1 insert + 1 queue send)",
      rate(floor.rps),
      ms(floor.p50),
      ms(floor.p99),
      "1.00×",
      ratio(floor.rps, hono.rps),
      "n/a",
      "reference",
    ],
    [
      "bare Hono route (JSON, no D1)",
      rate(hono.rps),
      ms(hono.p50),
      ms(hono.p99),
      ratio(hono.rps, floor.rps),
      "1.00×",
      "n/a",
      "reference",
    ],
  ];
  let ceiling;
  let agentLoad;
  let webhookReport;
  for (const route of loadRoutes(world)) {
    process.stdout.write(`  ${route.name}: ${duration} s, ${connections} connections... `);
    await drain(dev.url);
    const webhooksBefore = receiver.received();
    // A short warm-up so the first requests' compilation and cache misses are not counted.
    const warm = await runLoad(dev.url, { ...route, connections: 2, duration: 1 });
    let done = false;
    const probing = route.webhookProbe
      ? measureDeliveries(receiver, (i) => probe.post(probePath, { content: `Probe ${i}` }), {
          until: () => done,
          intervalMs: 100,
          waitSeconds: 30,
        })
      : null;
    const r = await measured(dev.url, { ...route, connections, duration });
    done = true;
    if (probing)
      webhookReport = { r: await probing, received: receiver.received() - webhooksBefore, created: warm.ok + r.ok };
    console.log(`${rate(r.rps)} req/s`);
    if (route.ceiling) ceiling = r.rps;
    cpuRows.push([route.name, ...cpuCells(r.cpu)]);
    if (route.webhookProbe) agentLoad = { route, rps: r.rps };
    const codes = Object.entries(r.statusCodes ?? {})
      .map(([code, s]) => `${code}:${s.count}`)
      .join(" ");
    rows.push([
      route.name,
      rate(r.rps),
      ms(r.p50),
      ms(r.p99),
      ratio(r.rps, floor.rps),
      ratio(r.rps, hono.rps),
      ceiling ? `${((r.rps / ceiling) * 100).toFixed(0)}%` : "n/a",
      codes + (r.errors ? ` errors:${r.errors}` : ""),
    ]);
  }
  console.log(
    `\nLoad per route: autocannon, ${connections} connections, ${duration} s each, local wrangler dev on 127.0.0.1\n`,
  );
  console.log(table(["route", "req/s", "p50", "p99", "× floor", "× Hono", "of ceiling", "responses"], rows));
  console.log(
    "\nCPU per request, by process, over the same loads (/proc/<pid>/stat; bench: autocannon and the receiver):\n",
  );
  console.log(table(["route", "wrangler", "workerd", "bench", "in all"], cpuRows));
  if (agentLoad) await paced(dev, receiver, agentLoad, probe, probePath, duration, connections);
  if (webhookReport) {
    const { r, received, created } = webhookReport;
    console.log(
      `\nWebhook delivery while agent message create was under ` +
        `load (a probe reply every 100 ms in another conversation):`,
    );
    console.log(
      `  probe POST .../messages  ${r.sent} sent; latency p50 ` +
        `${ms(percentile(r.postLatencies, 50))}, p99 ${ms(percentile(r.postLatencies, 99))}`,
    );
    console.log(
      `  message_created          ${r.deliveries.length}/${r.sent} ` +
        `probe replies delivered${r.missing ? ` (${r.missing} missing when we stopped waiting)` : ""}`,
    );
    console.log(
      `                           POST sent -> received: p50 ${ms(percentile(r.deliveries, 50))}, ` +
        `p99 ${ms(percentile(r.deliveries, 99))}, max ${ms(r.deliveries.at(-1))}`,
    );
    console.log(
      `  all message_created received since the warm-up: ${received}, for ` +
        `${created + r.sent} messages created by warm-up, load and probe`,
    );
  }
}

/**
 * Webhook latency at a steady write rate: agent message create held at 50% and then 100% of the
 * rate it reached under the load above (autocannon's overallRate, the probe's 10 replies a second
 * included), each probe reply's POST -> `message_created` measured as above.
 */
async function paced(dev, receiver, { route, rps: max }, probe, probePath, duration, connections) {
  console.log("\nWebhook delivery at a steady rate of agent message create (probe every 100 ms):");
  for (const share of [0.5, 1]) {
    await drain(dev.url);
    const rate = Math.max(1, Math.round(share * max - 10));
    let done = false;
    const probing = measureDeliveries(receiver, (i) => probe.post(probePath, { content: `Paced ${share} ${i}` }), {
      until: () => done,
      intervalMs: 100,
      waitSeconds: 30,
    });
    const r = await runLoad(dev.url, { ...route, connections, duration, overallRate: rate });
    done = true;
    const d = await probing;
    console.log(
      `  ${Math.round(share * 100)}% (${rate} + 10 req/s asked, ${rate2(r.rps)} req/s done): ` +
        `${d.deliveries.length}/${d.sent} delivered; POST -> received p50 ${ms(percentile(d.deliveries, 50))}, ` +
        `p99 ${ms(percentile(d.deliveries, 99))}`,
    );
  }
}

const rate2 = (n) => n.toFixed(1);
