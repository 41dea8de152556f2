// `npm run soak`: load with faults against a local `npm run dev`; afterwards nothing lost,
// nothing duplicated. See docs/webhooks.md, "Soak and fault testing".
//
// Starts `npm run dev` with a fresh database and a short webhook retry schedule, seeds an
// account, agents and API inboxes (webhook_url -> a receiver in this process), then for
// --seconds runs integrators (client API) and agents (Application API), both retrying with the
// same Idempotency-Keys and echo_ids, while faults hit the webhook pipeline:
//   - the receiver is down (503 + Retry-After) for the first half of the run (--no-outage);
//   - the queue consumer throws on a job's first attempt (FAULT_CONSUMER_THROW_RATE, --no-consumer-faults);
//   - enqueues after a commit are dropped (FAULT_DROP_ENQUEUE_RATE, --no-drop-enqueue);
//   - `wrangler dev` is restarted on the same database at 60 % of the run (--no-restart).
// Then it waits (at most --wait-seconds) for every agent reply's webhook and for no delivery to
// be pending, stops the server, checks the database and exits 1 if any check fails.
//
//   npm run soak
//   npm run soak -- --seconds 120 --integrators 12 --no-restart
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freshPersistDir, startDevServer } from "./dev-server.mjs";
import { runChecks } from "./soak/checks.mjs";
import { call, clientStats } from "./soak/http.mjs";
import { startReceiver } from "./soak/receiver.mjs";
import { seedWorld } from "./soak/seed.mjs";
import { agent, integrator, newLedger } from "./soak/workload.mjs";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    integrators: { type: "string", default: "8" },
    inboxes: { type: "string", default: "4" },
    agents: { type: "string", default: "3" },
    "wait-seconds": { type: "string", default: "240" },
    "retry-schedule": { type: "string", default: "0,2,3,5,8,13" },
    "consumer-throw-rate": { type: "string", default: "0.2" },
    "drop-enqueue-rate": { type: "string", default: "0.1" },
    "outage-mode": { type: "string", default: "503" },
    "no-outage": { type: "boolean", default: false },
    "no-consumer-faults": { type: "boolean", default: false },
    "no-drop-enqueue": { type: "boolean", default: false },
    "no-restart": { type: "boolean", default: false },
    "keep-db": { type: "boolean", default: false },
  },
});
const whole = (name, min = 1) => {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number >= ${min}`);
  return v;
};
const SECONDS = whole("seconds", 5);
const INTEGRATORS = whole("integrators");
const INBOXES = Math.min(whole("inboxes"), INTEGRATORS);
const AGENTS = whole("agents");
const WAIT_SECONDS = whole("wait-seconds", 0);
const OUTAGE = !flags["no-outage"];
const OUTAGE_MODE = flags["outage-mode"];
if (!["503", "refuse"].includes(OUTAGE_MODE)) throw new Error("--outage-mode must be 503 or refuse");
const THROW_RATE = flags["no-consumer-faults"] ? 0 : Number(flags["consumer-throw-rate"]);
const DROP_RATE = flags["no-drop-enqueue"] ? 0 : Number(flags["drop-enqueue-rate"]);
const RESTART = !flags["no-restart"];
const OUTAGE_SECONDS = OUTAGE ? SECONDS / 2 : 0;
// Every retry waits at least Retry-After; five retries at a quarter of the outage outlast it, so
// an outage alone never exhausts a delivery (with "refuse" there is no Retry-After: keep the run
// short enough for the schedule).
const RETRY_AFTER = Math.ceil(OUTAGE_SECONDS / 4);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const elapsed = (t0) => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
const log = (t0, text) => console.log(`[soak ${elapsed(t0).padStart(5)}] ${text}`);

const devArgs = [
  "--var",
  `WEBHOOK_RETRY_SCHEDULE:${flags["retry-schedule"]}`,
  "--var",
  "ALLOW_PRIVATE_WEBHOOK_URLS:true",
  ...(THROW_RATE > 0 ? ["--var", `FAULT_CONSUMER_THROW_RATE:${THROW_RATE}`] : []),
  ...(DROP_RATE > 0 ? ["--var", `FAULT_DROP_ENQUEUE_RATE:${DROP_RATE}`] : []),
];

/** Fault and sweeper counts from the worker's log lines. */
function workerCounts(output) {
  const counts = { consumerThrows: 0, droppedEnqueues: 0, sweptRequeued: 0 };
  // wrangler colours warnings even with NO_COLOR: strip the escapes before reading the JSON.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, "").split("\n")) {
    if (line.includes("injected fault (FAULT_CONSUMER_THROW_RATE)")) counts.consumerThrows++;
    const json = line.slice(line.indexOf("{"));
    if (!json.startsWith("{")) continue;
    try {
      const e = JSON.parse(json);
      if (e.event === "fault_injected" && e.fault === "drop_enqueue") counts.droppedEnqueues += e.dropped;
      if (e.event === "cron") counts.sweptRequeued += e.requeued ?? 0;
    } catch {
      /* not a JSON log line */
    }
  }
  return counts;
}

/** Pending deliveries of the soak's inboxes, from their delivery logs (newest first, 25 a page). */
async function pendingDeliveries(target, world) {
  let pending = 0;
  for (const inbox of world.inboxes) {
    for (let page = 1; ; page++) {
      const res = await call(
        target,
        "GET",
        `/api/v1/accounts/${world.accountId}/inboxes/${inbox.id}/deliveries?page=${page}`,
        {
          headers: { api_access_token: world.admin.token },
          giveUpMs: 30_000,
        },
      );
      pending += res.body.payload.filter((d) => d.status === "pending").length;
      if (!res.body.meta.has_more) break;
    }
  }
  return pending;
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function main() {
  const t0 = Date.now();
  const prefix = `soak${Date.now().toString(36)}`;
  const persistDir = freshPersistDir();
  const receiver = await startReceiver();
  const outputs = [];
  let dev = null;
  const target = { url: "" };
  const stopDev = async () => {
    if (!dev) return;
    outputs.push(dev.output());
    await dev.stop();
    dev = null;
  };
  let interrupted = false;
  process.once("SIGINT", () => {
    interrupted = true;
    Promise.resolve(stopDev())
      .then(() => receiver.close())
      .finally(() => process.exit(130));
  });
  let failed = true;
  try {
    log(t0, `starting npm run dev (fresh database, retry schedule ${flags["retry-schedule"]})...`);
    dev = await startDevServer({ persistDir, devArgs });
    target.url = dev.url;
    const world = await seedWorld(target, receiver, { runId: prefix, inboxes: INBOXES, agents: AGENTS });
    log(
      t0,
      `seeded account ${world.accountId}: ${INBOXES} inboxes, ${AGENTS} ` +
        `online agents; load for ${SECONDS} s with ${INTEGRATORS} integrators`,
    );

    const ledger = newLedger();
    const toAnswer = [];
    const runStart = Date.now();
    const deadline = runStart + SECONDS * 1000;
    if (OUTAGE) {
      await receiver.down(OUTAGE_MODE, OUTAGE_MODE === "503" ? RETRY_AFTER : 0);
      log(
        t0,
        `receiver down (${OUTAGE_MODE === "503" ? `503, Retry-After: ${RETRY_AFTER}` : "connections refused"}) ` +
          `for ${OUTAGE_SECONDS} s`,
      );
    }
    const faults = (async () => {
      if (OUTAGE) {
        await sleep(runStart + OUTAGE_SECONDS * 1000 - Date.now());
        await receiver.up();
        log(t0, "receiver up");
      }
      if (RESTART) {
        await sleep(runStart + SECONDS * 600 - Date.now());
        log(t0, "restarting wrangler dev on the same database (the local queue's jobs are lost)...");
        const down = Date.now();
        await stopDev();
        target.url = "http://127.0.0.1:9"; // nothing listens there: clients see connection errors and retry
        dev = await startDevServer({ persistDir, devArgs });
        target.url = dev.url;
        log(t0, `wrangler dev back after ${((Date.now() - down) / 1000).toFixed(1)} s`);
      }
    })();

    let integratorsDone = false;
    // Agents stop taking new work a minute after the load ends; unanswered messages are reported.
    const agentsStopAt = deadline + 60_000;
    const integrators = Array.from({ length: INTEGRATORS }, (_, index) =>
      integrator({ target, inbox: world.inboxes[index % INBOXES], index, prefix, deadline, ledger, toAnswer }),
    );
    const agents = Array.from({ length: INTEGRATORS }, (_, k) =>
      agent({
        target,
        agent: world.agents[k % AGENTS],
        accountId: world.accountId,
        prefix,
        ledger,
        toAnswer,
        done: () => integratorsDone,
        stopAt: agentsStopAt,
      }),
    );
    await Promise.all(integrators);
    integratorsDone = true;
    log(
      t0,
      `load over: ${ledger.incoming.size} messages acknowledged; agents answering the last ${toAnswer.length}...`,
    );
    await Promise.all(agents);
    const unanswered = toAnswer.length;
    await faults;

    log(
      t0,
      `${ledger.replies.size} replies acknowledged; waiting up to ` +
        `${WAIT_SECONDS} s for their webhooks and for no pending delivery...`,
    );
    const waitStart = Date.now();
    const missingReplies = () => [...ledger.replies.values()].filter((id) => !receiver.messages.has(id)).length;
    const missingIncoming = () => [...ledger.incoming.values()].filter((id) => !receiver.messages.has(id)).length;
    let pending = null;
    let lastPoll = 0;
    while (Date.now() - waitStart < WAIT_SECONDS * 1000) {
      if (missingReplies() === 0 && missingIncoming() === 0 && Date.now() - lastPoll > 10_000) {
        lastPoll = Date.now();
        pending = await pendingDeliveries(target, world);
        if (pending === 0) break;
      }
      await sleep(500);
    }
    log(
      t0,
      `wait over after ${((Date.now() - waitStart) / 1000).toFixed(0)} s: ${missingReplies()} ` +
        `replies and ${missingIncoming()} messages not received, ${pending ?? "?"} deliveries pending`,
    );
    await stopDev();

    const { checks, deliveries } = await runChecks({ persistDir, world, acked: ledger, receiver, prefix });
    if (ledger.errors.length)
      checks.push({
        name: "no client request failed for good",
        ok: false,
        detail: ledger.errors.slice(0, 5).join(" | "),
      });

    const latencies = [...ledger.replySentAt]
      .filter(([id]) => receiver.messages.has(id))
      .map(([id, sent]) => receiver.messages.get(id).firstAt - sent)
      .sort((a, b) => a - b);
    const repeatsByMessage = [...receiver.messages.values()].reduce((n, m) => n + m.receipts - m.webhookIds.size, 0);
    const counts = workerCounts(outputs.join("\n"));
    const sec = (ms) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`);
    const status = Object.entries(clientStats.byStatus)
      .map(([s, n]) => `${s}: ${n}`)
      .join(", ");
    const pad = " ".repeat(16);
    const outage = OUTAGE ? `${OUTAGE_SECONDS} s (${OUTAGE_MODE})` : "off";
    const throws = THROW_RATE ? `${counts.consumerThrows} (rate ${THROW_RATE})` : "off";
    const drops = DROP_RATE ? `${counts.droppedEnqueues} (rate ${DROP_RATE})` : "off";
    const report = [
      "",
      `Konversio soak: ${SECONDS} s, ${INTEGRATORS} integrators over ${INBOXES} inboxes, ${AGENTS} agents, ` +
        `retry schedule ${flags["retry-schedule"]}`,
      `  clients       ${clientStats.requests} requests, ${clientStats.attempts} attempts, ` +
        `${clientStats.retries} retries (${clientStats.networkErrors} network errors; answers ${status})`,
      `${pad}contacts ${ledger.contacts.size}, conversations ${ledger.conversations.size}, ` +
        `messages ${ledger.incoming.size} acknowledged, replies ${ledger.replies.size} acknowledged ` +
        `(${unanswered} left unanswered), ${ledger.replayed} replayed answers`,
      `  webhooks      ${receiver.stats.received} received, ${receiver.distinctWebhookIds()} distinct webhook-ids, ` +
        `${receiver.repeats()} repeats of a webhook-id (${repeatsByMessage} on message_created), ` +
        `${receiver.stats.refusedWhileDown} answered 503 while down`,
      `${pad}deliveries in D1: ${JSON.stringify(deliveries)}`,
      `${pad}reply POST -> webhook received: p50 ${sec(percentile(latencies, 50))}, ` +
        `p99 ${sec(percentile(latencies, 99))}, max ${sec(latencies.at(-1))}`,
      `  faults        receiver outage ${outage}; consumer throws ${throws}; dropped enqueues ${drops}; ` +
        `restart ${RESTART ? "1" : "off"}; sweeper re-enqueued ${counts.sweptRequeued}`,
      "  checks",
    ];
    console.log(report.join("\n"));
    for (const c of checks) console.log(`    ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
    failed = checks.some((c) => !c.ok);
    console.log(failed ? "\nSOAK FAILED" : "\nSOAK PASSED");
  } catch (err) {
    console.error(err);
  } finally {
    await stopDev().catch(() => {});
    if (failed) {
      const file = path.join(tmpdir(), `${prefix}-wrangler.log`);
      writeFileSync(file, outputs.join("\n\n----- restart -----\n\n"));
      console.log(`npm run dev output kept in ${file}`);
    }
    await receiver.close();
    if (!flags["keep-db"]) rmSync(persistDir, { recursive: true, force: true });
    else console.log(`database kept in ${persistDir}`);
  }
  if (!interrupted) process.exit(failed ? 1 : 0);
}

main();
