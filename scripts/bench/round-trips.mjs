// D1 round trips per request, for every route of /openapi.json: each route is called once, with
// its path filled from a freshly seeded account and a valid body for the main resources, and the
// count comes from the `Server-Timing: d1;desc="<N> round trips"` header (SERVER_TIMING=on in
// .dev.vars). DELETE routes are left out: they would remove what the rest of the run uses.
import { client, platformToken, roundTrips } from "./client.mjs";
import { seedAccount } from "./seed.mjs";
import { sleep, table } from "./stats.mjs";

const SKIPPED = [
  [/^\/cable$/, "WebSocket upgrade"],
  [/^\/attachments\//, "needs an uploaded file"],
];

let seq = 0;
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

/** A valid body for each write, keyed by "METHOD /path/template" (a trailing-path match). */
function bodies(w) {
  const { inbox, agent, admin, throwaway } = w;
  return [
    ["POST /platform/api/v1/accounts", () => ({ name: unique("RT account") })],
    ["/platform/api/v1/accounts/{account_id}", () => ({ name: "RT renamed" })],
    ["POST /account_users", () => ({ user_id: throwaway.id, role: "agent" })],
    ["POST /platform/api/v1/users", () => ({ name: "RT user", email: `${unique("rt")}@bench.test` })],
    ["/platform/api/v1/users/{id}", () => ({ name: "RT throwaway" })],
    ["POST /contacts/{id}/contact_inboxes", () => ({ inbox_id: inbox.id, source_id: unique("rt-source") })],
    [
      "POST /api/v1/accounts/{account_id}/contacts",
      () => ({ name: "RT", identifier: unique("rt-user"), inbox_id: inbox.id }),
    ],
    ["/contacts/{id}", () => ({ name: "RT renamed" })],
    ["POST /api/v1/accounts/{account_id}/conversations", () => ({ inbox_id: inbox.id, contact_id: w.contactId })],
    ["PATCH /conversations/{conversation_id}", () => ({ priority: "high" })],
    ["/toggle_status", () => ({ status: "open" })],
    ["/toggle_priority", () => ({ priority: "medium" })],
    ["/assignments", () => ({ assignee_id: agent.id })],
    ["/labels", () => ({ labels: ["bench"] })],
    ["/destroy_custom_attributes", () => ({ custom_attributes: ["tier"] })],
    ["/custom_attributes", () => ({ custom_attributes: { tier: "gold" } })],
    ["/toggle_typing_status", () => ({ typing_status: "on" })],
    ["/toggle_typing", () => ({ typing_status: "on" })],
    ["POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", () => ({ content: "RT reply" })],
    [
      "PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}",
      () => ({ status: "delivered" }),
    ],
    ["POST /api/v1/profile", () => ({ inbox_identifier: inbox.inbox_identifier, identifier: unique("rt-profile") })],
    ["/api/v1/profile", () => ({ name: "Admin" })],
    ["/availability", () => ({ account_id: w.account.id, availability: "online" })],
    ["/auto_offline", () => ({ account_id: w.account.id, auto_offline: false })],
    ["POST /api/v1/accounts/{account_id}/inboxes", () => ({ name: unique("RT inbox") })],
    ["/inboxes/{id}", () => ({ name: "Bench inbox" })],
    ["/inbox_members", () => ({ inbox_id: inbox.id, user_ids: [admin.id, agent.id] })],
    [
      "POST /api/v1/accounts/{account_id}/agents",
      () => ({ name: "RT agent", email: `${unique("rt-agent")}@bench.test` }),
    ],
    ["/agents/{id}", () => ({ name: "Agent" })],
    ["POST /api/v1/accounts/{account_id}/teams", () => ({ name: unique("rt-team") })],
    ["/teams/{id}", () => ({ description: "RT" })],
    ["/team_members", () => ({ team_id: w.teamId, user_ids: [agent.id] })],
    [
      "POST /api/v1/accounts/{account_id}/webhooks",
      () => ({ url: `${w.receiverUrl}?hook=${unique("rt")}`, subscriptions: ["message_created"] }),
    ],
    ["/webhooks/{id}", () => ({ name: "RT hook" })],
    [
      "POST /public/api/v1/inboxes/{inbox_identifier}/contacts",
      () => ({ name: "RT client", identifier: unique("rt-client") }),
    ],
    ["/contacts/{source_id}", () => ({ name: "RT client" })],
    ["/messages/{message_id}", () => ({ submitted_values: [{ value: "yes" }] })],
    ["/messages", () => ({ content: "RT client message" })],
  ];
}

function bodyFor(entries, method, template) {
  const found = entries.find(([key]) => {
    const [m, suffix] = key.includes(" ") ? key.split(" ") : [method, key];
    return m === method && template.endsWith(suffix);
  });
  return found ? found[1]() : {};
}

/** Fills `{name}` path parameters from the seeded world, by parameter and by the segment before it. */
function fillPath(template, w) {
  return template.replace(/\{(\w+)\}/g, (_, name, offset) => {
    const before = template.slice(0, offset);
    const values = {
      account_id: w.account.id,
      conversation_id: before.startsWith("/public") ? w.publicConversationId : w.conversationId,
      message_id: before.startsWith("/public") ? w.publicMessageId : w.messageId,
      inbox_id: w.inbox.id,
      team_id: w.teamId,
      source_id: w.sourceId,
      inbox_identifier: w.inbox.inbox_identifier,
      delivery_id: before.includes("/webhooks/") ? w.webhookDeliveryId : w.inboxDeliveryId,
    };
    if (name === "id") {
      if (before.endsWith("/contacts/")) return w.contactId;
      if (before.endsWith("/inboxes/")) return w.inbox.id;
      if (before.endsWith("/agents/")) return w.agent.id;
      if (before.endsWith("/teams/")) return w.teamId;
      if (before.endsWith("/webhooks/")) return w.webhookId;
      if (before.endsWith("/users/")) return w.throwaway.id;
    }
    if (values[name] === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return values[name];
  });
}

async function prepare(baseUrl, receiverUrl) {
  const seeded = await seedAccount(baseUrl, {
    name: "Round trips",
    contacts: 2,
    conversationsPerContact: 1,
    messagesPerConversation: 2,
    webhookUrl: receiverUrl,
  });
  const api = client(baseUrl, seeded.admin.token);
  const platform = client(baseUrl, platformToken());
  const throwaway = await platform.post("/platform/api/v1/users", {
    name: "RT throwaway",
    email: `${unique("rt-throwaway")}@bench.test`,
  });
  const team = await api.post(`${seeded.base}/teams`, { name: unique("rt-base-team") });
  const webhook = await api.post(`${seeded.base}/webhooks`, { url: receiverUrl, subscriptions: ["message_created"] });
  const [first, second] = seeded.contacts;
  const conversationId = first.conversations[0].id;
  const publicConversationId = second.conversations[0].id;
  await api.post(`${seeded.base}/conversations/${conversationId}/messages`, { content: "for the account webhook" });
  await sleep(1500);
  const firstId = async (p) => (await api.get(p)).payload?.[0]?.id ?? 1;
  const publicMessages = await client(baseUrl).get(
    `/public/api/v1/inboxes/${seeded.inbox.inbox_identifier}/contacts/${second.sourceId}` +
      `/conversations/${publicConversationId}/messages`,
  );
  return {
    ...seeded,
    receiverUrl,
    throwaway: { id: throwaway.id, token: throwaway.access_token },
    teamId: team.id,
    webhookId: webhook.payload.webhook.id,
    contactId: first.contact.id,
    sourceId: second.sourceId,
    conversationId,
    messageId: first.conversations[0].messages[1].id,
    publicConversationId,
    publicMessageId: publicMessages[0]?.id ?? second.conversations[0].messages[0].id,
    webhookDeliveryId: await firstId(`${seeded.base}/webhooks/${webhook.payload.webhook.id}/deliveries`),
    inboxDeliveryId: await firstId(`${seeded.base}/inboxes/${seeded.inbox.id}/deliveries`),
  };
}

/** Calls every route once and prints status and D1 round trips per route. */
export async function measureRoundTrips(baseUrl, receiverUrl) {
  const w = await prepare(baseUrl, receiverUrl);
  const doc = await client(baseUrl).get("/openapi.json");
  const writes = bodies(w);
  const rows = [];
  const skipped = [];
  // Token resets go last, on a throwaway user's token, so the rest keep working.
  const ops = Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.keys(item)
      .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map((m) => ({ method: m.toUpperCase(), template })),
  );
  const last = (op) => (op.template.endsWith("reset_access_token") ? 1 : 0);
  ops.sort((a, b) => last(a) - last(b));
  for (const { method, template } of ops) {
    const reason = method === "DELETE" ? "DELETE: left out" : SKIPPED.find(([re]) => re.test(template))?.[1];
    if (reason) {
      skipped.push(`${method} ${template} (${reason})`);
      continue;
    }
    const token = template.startsWith("/platform")
      ? platformToken()
      : template === "/api/v1/profile/reset_access_token"
        ? w.throwaway.token
        : w.admin.token;
    if (template === "/api/v1/profile/reset_access_token")
      await client(baseUrl, platformToken()).post(`/platform/api/v1/accounts/${w.account.id}/account_users`, {
        user_id: w.throwaway.id,
        role: "agent",
      });
    const body = method === "GET" ? undefined : bodyFor(writes, method, template);
    const res = await client(baseUrl, template.startsWith("/public") || template === "/api" ? undefined : token).call(
      method,
      fillPath(template, w),
      body,
      { allowError: true },
    );
    const shown = template
      .replace(/^\/api\/v1\/accounts\/\{account_id\}/, "…")
      .replace(/^\/public\/api\/v1\/inboxes\/\{inbox_identifier\}/, "/public…");
    rows.push([`${method} ${shown}`, res.status, roundTrips(res.headers) ?? "n/a"]);
  }
  console.log(
    "\nD1 round trips per request (one call per route, auth included; … = " +
      "/api/v1/accounts/{account_id}, /public… = /public/api/v1/inboxes/{inbox_identifier})\n",
  );
  console.log(table(["route", "status", "round trips"], rows));
  if (skipped.length) console.log(`\nNot called (${skipped.length}):\n${skipped.map((s) => `  ${s}`).join("\n")}`);
  return rows;
}
