// D1 work per hot request, for docs/scaling.md's capacity on paper. D1 runs one query at a time
// per database, so the time a request keeps the database busy bounds how many such requests one
// database serves a second. Each route is called 100 times one after another (after 5
// unmeasured calls) on a seeded account, and `Server-Timing: d1;desc="<N> round trips";dur=<ms>`
// gives the round trips and the time spent in D1 calls. Locally D1 is SQLite in workerd, so the
// time is the statements' own work plus the binding's overhead, without the edge's network hop.
import { seedAccount } from "./seed.mjs";
import { client } from "./client.mjs";
import { ms, percentile, table } from "./stats.mjs";

const CALLS = 100;
const WARMUP = 5;

const d1Of = (headers) => {
  const m = (headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips";dur=([\d.]+)/);
  return m ? { trips: Number(m[1]), ms: Number(m[2]) } : null;
};

export async function measureCapacity(baseUrl) {
  console.log("\nD1 work per hot request: seeding an account...");
  const w = await seedAccount(baseUrl, { name: "Capacity", contacts: 3, messagesPerConversation: 2 });
  const agent = client(baseUrl, w.agent.token);
  const admin = client(baseUrl, w.admin.token);
  const [first, second] = w.contacts;
  const conversation = `${w.base}/conversations/${first.conversations[0].id}`;
  const publicBase =
    `/public/api/v1/inboxes/${w.inbox.inbox_identifier}/contacts/${second.sourceId}` +
    `/conversations/${second.conversations[0].id}`;
  const run = Date.now().toString(36);
  const routes = [
    ["agent message create", (i) => agent.call("POST", `${conversation}/messages`, { content: `Capacity ${i}` })],
    [
      "client-API message create",
      (i) =>
        client(baseUrl, null, { "cf-connecting-ip": `10.77.${(i >> 8) & 255}.${i & 255}` }).call(
          "POST",
          `${publicBase}/messages`,
          { content: `Customer ${i}` },
        ),
    ],
    [
      "conversation create",
      () => admin.call("POST", `${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: first.contact.id }),
    ],
    [
      "contact create",
      (i) =>
        admin.call("POST", `${w.base}/contacts`, {
          name: `C ${i}`,
          identifier: `cap-${run}-${i}`,
          inbox_id: w.inbox.id,
        }),
    ],
    ["conversation list", () => admin.call("GET", `${w.base}/conversations?status=all`)],
    ["message page", () => agent.call("GET", `${conversation}/messages`)],
  ];
  const rows = [];
  const figures = {};
  for (const [name, send] of routes) {
    for (let i = 0; i < WARMUP; i++) await send(`warm-${i}`);
    const times = [];
    let trips = null;
    for (let i = 0; i < CALLS; i++) {
      const d1 = d1Of((await send(i)).headers);
      if (!d1) throw new Error(`${name}: no Server-Timing d1 figure (SERVER_TIMING=on in .dev.vars?)`);
      times.push(d1.ms);
      trips = d1.trips;
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    figures[name] = { trips, p50, p99: percentile(times, 99) };
    rows.push([name, String(trips), ms(p50), ms(percentile(times, 99)), String(Math.floor(1000 / p50))]);
  }
  console.log(`\nD1 work per request: ${CALLS} sequential calls a route, local wrangler dev\n`);
  console.log(table(["route", "round trips", "D1 p50", "D1 p99", "requests/s one database could serve"], rows));
  return figures;
}
