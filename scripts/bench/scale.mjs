// `npm run bench -- scale`: how the hot reads behave in a big account. Seeds, through the APIs, a
// big account, a small one and noise accounts (users, tokens, an inbox each); stops the server;
// adds the bulk rows with one generated SQL file through `wrangler d1 execute --local`; starts
// the server again on the same state; then measures each read in the small and the big account.
//
//   npm run bench -- scale                                            # 100,000 conversations, 1,000,000 messages
//   npm run bench -- scale --conversations 10000 --messages 100000    # a quick run
//   flags: --small-conversations 1000 --noise-accounts 2 --noise-conversations 10000
//          --samples 30 (sequential requests per read) --duration 5 --connections 10 (autocannon)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freshPersistDir, runWrangler, startDevServer } from "../dev-server.mjs";
import { client } from "./client.mjs";
import { setting } from "./flags.mjs";
import { drain, runLoad } from "./load.mjs";
import { accountRowsSql } from "./scale-sql.mjs";
import { seedAccount } from "./seed.mjs";
import { ms, now, percentile, rate, table } from "./stats.mjs";

const DEV_ARGS = ["--var", "ALLOW_PRIVATE_WEBHOOK_URLS:true"];

/** How many rows matched: the list's total count, or the page's length. */
function countHits(text) {
  try {
    const body = JSON.parse(text);
    return body.data?.meta?.all_count ?? body.meta?.count ?? body.payload?.length ?? null;
  } catch {
    return null;
  }
}

/** Sequential requests (at most `samples`, and at most ~20 s): client latency, round trips and D1 time. */
async function sequential(url, token, samples) {
  const latencies = [];
  const d1 = [];
  let trips = null;
  let status = null;
  let hits = null;
  // One unmeasured request first: the route's first call pays for compiling and caching.
  await fetch(url, { headers: { api_access_token: token } }).then((r) => r.arrayBuffer());
  const deadline = now() + 20_000;
  for (let i = 0; i < samples && now() < deadline; i++) {
    const t0 = now();
    const res = await fetch(url, { headers: { api_access_token: token } });
    const text = await res.text();
    if (i === 0) hits = countHits(text);
    latencies.push(now() - t0);
    status = res.status;
    const timing = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips";dur=([\d.]+)/);
    if (timing) {
      trips = Number(timing[1]);
      d1.push(Number(timing[2]));
    }
  }
  latencies.sort((a, b) => a - b);
  d1.sort((a, b) => a - b);
  return {
    n: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    d1p50: percentile(d1, 50),
    trips,
    status,
    hits,
  };
}

export async function runScaleBench() {
  const conversations = setting("conversations", 100_000);
  const messages = setting("messages", 1_000_000);
  const smallConversations = setting("small-conversations", 1_000);
  const noiseAccounts = setting("noise-accounts", 2);
  const noiseConversations = setting("noise-conversations", 10_000);
  const samples = Math.max(1, setting("samples", 30));
  const duration = setting("duration", 5);
  const connections = Math.max(1, setting("connections", 10));
  const perConversation = Math.max(1, Math.round(messages / Math.max(1, conversations)));

  const persistDir = freshPersistDir();
  const sqlDir = mkdtempSync(path.join(tmpdir(), "konversio-scale-sql-"));
  let dev = null;
  process.once("SIGINT", () => (dev ? dev.stop() : Promise.resolve()).then(() => process.exit(130)));
  try {
    console.log("Starting npm run dev with a fresh database to seed accounts, users and inboxes...");
    dev = await startDevServer({ persistDir, devArgs: DEV_ARGS });
    const plan = [
      { label: "big", conversations, messages },
      { label: "small", conversations: smallConversations, messages: smallConversations * perConversation },
      ...Array.from({ length: noiseAccounts }, (_, i) => ({
        label: `noise ${i + 1}`,
        conversations: noiseConversations,
        messages: noiseConversations * perConversation,
      })),
    ];
    for (const p of plan)
      p.seeded = await seedAccount(dev.url, { name: `Scale ${p.label}`, contacts: 1, messagesPerConversation: 2 });
    await dev.stop();
    dev = null;

    const startMs = Date.now() - 400 * 24 * 3600 * 1000;
    const sql = plan
      .map((p) =>
        accountRowsSql({
          accountId: p.seeded.account.id,
          inboxId: p.seeded.inbox.id,
          agentId: p.seeded.agent.id,
          contacts: Math.max(1, Math.floor(p.conversations / 2)),
          conversations: p.conversations,
          messages: p.messages,
          startMs,
        }),
      )
      .join("\n");
    const sqlFile = path.join(sqlDir, "scale.sql");
    writeFileSync(sqlFile, sql);
    const totalConversations = plan.reduce((s, p) => s + p.conversations, 0);
    const totalMessages = plan.reduce((s, p) => s + p.messages, 0);
    console.log(
      `Inserting ${totalConversations} conversations and ${totalMessages} ` +
        `messages in ${plan.length} accounts with wrangler d1 execute...`,
    );
    const t0 = now();
    await runWrangler(["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--file", sqlFile, "--yes"]);
    const seedSeconds = (now() - t0) / 1000;
    console.log(`  seeded in ${seedSeconds.toFixed(1)} s`);

    console.log("Starting npm run dev again on the seeded database...");
    dev = await startDevServer({ persistDir, devArgs: DEV_ARGS });
    const rows = [];
    for (const p of plan.slice(0, 2).reverse()) {
      const { base, admin } = p.seeded;
      const check = await client(dev.url, admin.token).get(`${base}/conversations/meta?status=all`);
      const middle = Math.ceil(p.conversations / 2) + 1;
      const reads = [
        ["conversation list", `${base}/conversations`],
        ["conversation search, 20 matches (?q=chargeback)", `${base}/conversations?status=all&q=chargeback`],
        ["conversation search, ~2% match (?q=refund)", `${base}/conversations?status=all&q=refund`],
        ["contact search, 10 matches (?q=quarterm)", `${base}/contacts/search?q=quarterm`],
        ["contact search, 1% match (?q=refundsson)", `${base}/contacts/search?q=refundsson`],
        ["message page", `${base}/conversations/${middle}/messages`],
      ];
      for (const [name, url] of reads) {
        process.stdout.write(`  ${p.label} account, ${name}... `);
        await drain(dev.url);
        const seq = await sequential(`${dev.url}${url}`, admin.token, samples);
        const load = await runLoad(dev.url, { path: url, token: admin.token, connections, duration });
        await drain(dev.url);
        console.log(`${ms(seq.p50)} sequential p50, ${rate(load.rps)} req/s`);
        rows.push([
          `${p.label} (${check.meta.all_count} conv.)`,
          name,
          seq.status,
          seq.hits ?? "n/a",
          seq.trips ?? "n/a",
          ms(seq.p50),
          ms(seq.p99),
          ms(seq.d1p50),
          rate(load.rps),
          ms(load.p50),
          ms(load.p99),
          [
            load.total < 20 ? `only ${load.total} completed under load` : "",
            load.non2xx || load.errors ? `${load.non2xx} non-2xx, ${load.errors} errors` : "",
          ]
            .filter(Boolean)
            .join("; "),
        ]);
      }
    }
    console.log(`
Scale: ${conversations} conversations / ${messages} messages in the big account,
${smallConversations} conversations in the small one, ${noiseAccounts} noise accounts of ${noiseConversations}
conversations; about ${perConversation} messages per conversation.
Bulk insert (wrangler d1 execute --local --file): ${seedSeconds.toFixed(1)} s for ${totalConversations} conversations
and ${totalMessages} messages.
rows: the list's total (conversations: all_count, contacts: count) or the page's length (messages).
Sequential: ${samples} requests one after another (at most ~20 s) after one unmeasured; D1 p50: the Server-Timing
D1 time; autocannon: ${connections} connections, ${duration} s, req/s = completed requests / duration. The server is
drained (GET /api fast again) before and after each read.
`);
    console.log(
      table(
        [
          "account",
          "read",
          "status",
          "rows",
          "round trips",
          "seq p50",
          "seq p99",
          "D1 p50",
          "req/s",
          "load p50",
          "load p99",
          "notes",
        ],
        rows,
      ),
    );
  } finally {
    if (dev) await dev.stop();
    rmSync(persistDir, { recursive: true, force: true });
    rmSync(sqlDir, { recursive: true, force: true });
  }
}
