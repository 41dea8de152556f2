// Builds the soak's world through the public APIs, as an operator and an administrator would:
// Platform API for the account and its users, Application API for inboxes, members and
// availability. Every API inbox posts its webhooks to the soak's receiver.
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../dev-server.mjs";
import { call } from "./http.mjs";

/** The Platform API token `npm run dev` reads from .dev.vars (it creates the file when missing). */
export function platformToken() {
  const text = readFileSync(path.join(projectRoot, ".dev.vars"), "utf8");
  const token = text.match(/^\s*PLATFORM_API_TOKEN\s*=\s*"?([^"\s]+)"?\s*$/m)?.[1];
  if (!token) throw new Error("PLATFORM_API_TOKEN is not set in .dev.vars");
  return token;
}

const unwrap = (body) => body?.payload ?? body;

/**
 * One account, an administrator, `agents` online agents and `inboxes` API inboxes whose
 * webhook_url is `${receiver.url}/inbox/<n>`; every agent is a member of every inbox.
 */
export async function seedWorld(target, receiver, { runId, inboxes, agents }) {
  const platformHeaders = { api_access_token: platformToken() };
  const platform = async (method, p, body) =>
    unwrap((await call(target, method, `/platform/api/v1${p}`, { body, headers: platformHeaders })).body);

  const account = await platform("POST", "/accounts", { name: `Soak ${runId}` });
  const user = async (name, role) => {
    const u = await platform("POST", "/users", {
      name,
      email: `${name.toLowerCase().replaceAll(" ", "-")}-${runId}@soak.konversio.local`,
    });
    await platform("POST", `/accounts/${account.id}/account_users`, { user_id: u.id, role });
    if (!u.access_token) throw new Error(`POST /platform/api/v1/users returned no access_token for ${name}`);
    return { id: u.id, name, token: u.access_token };
  };
  const admin = await user("Soak Admin", "administrator");
  const agentList = [];
  for (let k = 1; k <= agents; k++) agentList.push(await user(`Soak Agent ${k}`, "agent"));

  const app = async (token, method, p, body) =>
    unwrap((await call(target, method, `/api/v1${p}`, { body, headers: { api_access_token: token } })).body);
  for (const agent of agentList) {
    await app(agent.token, "POST", "/profile/availability", { account_id: account.id, availability: "online" });
  }

  const inboxList = [];
  for (let n = 0; n < inboxes; n++) {
    const inbox = await app(admin.token, "POST", `/accounts/${account.id}/inboxes`, {
      name: `Soak inbox ${n}`,
      channel: { type: "api", webhook_url: `${receiver.url}/inbox/${n}` },
    });
    if (!inbox.secret?.startsWith("whsec_")) throw new Error(`inbox ${inbox.id} JSON has no webhook secret`);
    receiver.secrets.set(n, inbox.secret);
    await app(admin.token, "POST", `/accounts/${account.id}/inbox_members`, {
      inbox_id: inbox.id,
      user_ids: agentList.map((a) => a.id),
    });
    inboxList.push({ n, id: inbox.id, identifier: inbox.inbox_identifier });
  }
  return { accountId: account.id, admin, agents: agentList, inboxes: inboxList };
}
