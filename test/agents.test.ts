import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "./helpers/api";
import { updateAgent } from "../src/services/agents";
import { as, createContact, createWorld, expectError, serviceContext, unique, type World } from "./helpers/factories";

const membership = (accountId: number, userId: number) =>
  env.DB.prepare("select role, availability, auto_offline from account_users where account_id = ? and user_id = ?")
    .bind(accountId, userId)
    .first<{ role: string; availability: string; auto_offline: number }>();
const userName = async (id: number) =>
  (await env.DB.prepare("select name from users where id = ?").bind(id).first<{ name: string }>())?.name;

/** A conversation assigned to `assigneeId`, written straight to D1 (conversation routes are not under test here). */
async function assignedConversation(w: World, assigneeId: number) {
  const { contact, sourceId } = await createContact(w);
  const ci = await env.DB.prepare("select id from contact_inboxes where source_id = ?")
    .bind(sourceId)
    .first<{ id: number }>();
  const now = Date.now();
  const row = await env.DB.prepare(
    `insert into conversations (account_id, display_id, uuid, inbox_id, contact_id, contact_inbox_id, assignee_id,
       last_activity_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
  )
    .bind(
      w.account.id,
      Math.floor(Math.random() * 1e9),
      crypto.randomUUID(),
      w.inbox.id,
      contact.id,
      ci!.id,
      assigneeId,
      now,
      now,
      now,
    )
    .first<{ id: number }>();
  return row!.id;
}

describe("agents: happy path", () => {
  it("lists the account's agents as a bare array", async () => {
    const w = await createWorld();
    const res = await as(w.agent).get(`${w.base}/agents`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((a: any) => a.name)).toEqual(["Admin", "Agent", "Outsider"]);
    expect(res.body[0]).toEqual({
      id: w.admin.id,
      account_id: w.account.id,
      availability_status: "online",
      auto_offline: true,
      confirmed: true,
      email: w.admin.email,
      provider: "email",
      available_name: "Admin",
      custom_attributes: {},
      name: "Admin",
      role: "administrator",
      thumbnail: "",
    });
  });

  it("creates a new user as an agent without ever showing their access token", async () => {
    const w = await createWorld();
    const email = `${unique("new")}@Example.TEST`;
    const res = await as(w.admin).post(`${w.base}/agents`, {
      agent: { name: "Newbie", email, role: "administrator", availability: "busy", auto_offline: "false" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "Newbie",
      email: email.toLowerCase(),
      role: "administrator",
      availability_status: "busy",
      auto_offline: false,
      account_id: w.account.id,
    });
    // The one-time set-password link is the only token-like thing in the answer, and no access token is.
    const { set_password_url, ...rest } = res.body;
    expect(set_password_url).toMatch(/^http:\/\/konversio\.test\/app\/set-password\?token=[1-9A-HJ-NP-Za-km-z]{32}$/);
    expect(JSON.stringify(rest)).not.toMatch(/token/i);
    const tokens = await env.DB.prepare("select count(*) n from access_tokens where user_id = ?")
      .bind(res.body.id)
      .first<{ n: number }>();
    expect(tokens!.n).toBe(1);
    const list = await as(w.admin).get(`${w.base}/agents`);
    expect(list.body.map((a: any) => a.id)).toContain(res.body.id);
  });

  it("adds an existing user of another account, keeping their name and other membership", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const res = await as(a.admin).post(`${a.base}/agents`, {
      name: "Renamed by A",
      email: b.agent.email.toUpperCase(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: b.agent.id,
      name: "Agent",
      role: "agent",
      availability_status: "offline",
      account_id: a.account.id,
    });
    expect(await userName(b.agent.id)).toBe("Agent");
    expect(await membership(b.account.id, b.agent.id)).toMatchObject({ role: "agent", availability: "online" });
    expect((await as(b.agent).get(`${a.base}/agents`)).status).toBe(200);
  });

  it("updates name, role, availability and auto_offline with PATCH and PUT", async () => {
    const w = await createWorld();
    const res = await as(w.admin).patch(`${w.base}/agents/${w.agent.id}`, {
      name: "Agent Smith",
      role: "administrator",
      availability: "busy",
      auto_offline: false,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: w.agent.id,
      name: "Agent Smith",
      role: "administrator",
      availability_status: "busy",
      auto_offline: false,
    });
    const put = await as(w.admin).put(`${w.base}/agents/${w.agent.id}`, { agent: { role: "agent" } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: "Agent Smith", role: "agent", availability_status: "busy" });
    expect(await membership(w.account.id, w.agent.id)).toEqual({
      role: "agent",
      availability: "busy",
      auto_offline: 0,
    });
  });

  it("removes an agent with their inbox and team memberships and assignments in this account only", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    await as(b.admin).post(`${b.base}/agents`, { name: "x", email: a.agent.email });
    await as(b.admin).post(`${b.base}/inbox_members`, { inbox_id: b.inbox.id, user_ids: [a.agent.id] });
    const team = await as(a.admin).post(`${a.base}/teams`, { name: unique("team") });
    await as(a.admin).post(`${a.base}/teams/${team.body.id}/team_members`, { user_ids: [a.agent.id] });
    const conversationId = await assignedConversation(a, a.agent.id);

    const res = await as(a.admin).delete(`${a.base}/agents/${a.agent.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "Agent removed from the account" });
    expect(await membership(a.account.id, a.agent.id)).toBeNull();
    const left = await env.DB.prepare(
      `select (select count(*) from inbox_members where user_id = ?1 and inbox_id = ?2) a_inbox,
              (select count(*) from inbox_members where user_id = ?1 and inbox_id = ?3) b_inbox,
              (select count(*) from team_members where user_id = ?1) teams,
              (select assignee_id from conversations where id = ?4) assignee`,
    )
      .bind(a.agent.id, a.inbox.id, b.inbox.id, conversationId)
      .first();
    expect(left).toEqual({ a_inbox: 0, b_inbox: 1, teams: 0, assignee: null });
    expectError(await as(a.agent).get(`${a.base}/agents`), 404, "Account not found");
    expect((await as(a.agent).get(`${b.base}/agents`)).status).toBe(200);
  });
});

describe("agents: errors", () => {
  it("validates the body with details and creates nothing", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/agents`, {
      email: "not-an-email",
      role: "owner",
      availability: "away",
    });
    expectError(res, 422);
    expect(res.body.details.map((d: any) => d.field).sort()).toEqual(["availability", "email", "name", "role"]);
    expectError(await as(w.admin).patch(`${w.base}/agents/${w.agent.id}`, { role: "root" }), 422);
    expect((await as(w.admin).get(`${w.base}/agents`)).body).toHaveLength(3);
  });

  it("refuses an e-mail that is already an agent of the account", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/agents`, { name: "Again", email: w.agent.email });
    expectError(res, 422, "Email is already an agent of this account");
    expect(res.body.details).toEqual([{ field: "email", message: "is already an agent of this account" }]);
    expect(await userName(w.agent.id)).toBe("Agent");
  });

  it("never removes or demotes the last administrator", async () => {
    const w = await createWorld();
    expectError(
      await as(w.admin).patch(`${w.base}/agents/${w.admin.id}`, { role: "agent", name: "Demoted" }),
      422,
      "The account's last administrator cannot be removed or demoted",
    );
    expectError(await as(w.admin).delete(`${w.base}/agents/${w.admin.id}`), 422, /last administrator/);
    expect(await membership(w.account.id, w.admin.id)).toMatchObject({ role: "administrator" });
    expect(await userName(w.admin.id)).toBe("Admin");
    // Other changes to the last administrator are fine.
    const ok = await as(w.admin).patch(`${w.base}/agents/${w.admin.id}`, {
      availability: "busy",
      role: "administrator",
    });
    expect(ok.body).toMatchObject({ role: "administrator", availability_status: "busy" });
  });

  it("leaves at least one administrator when two demote each other at once", async () => {
    const w = await createWorld();
    await as(w.admin).patch(`${w.base}/agents/${w.agent.id}`, { role: "administrator" });
    // Straight through the service, so both pre-checks run before either write.
    const scope = serviceContext(w.account.id);
    const results = await Promise.allSettled([
      updateAgent(scope, w.agent.id, { role: "agent", name: "Loser" }),
      updateAgent(scope, w.admin.id, { role: "agent", name: "Loser" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({
      status: 422,
      message: "The account's last administrator cannot be removed or demoted",
    });
    const admins = await env.DB.prepare(
      "select count(*) n from account_users where account_id = ? and role = 'administrator'",
    )
      .bind(w.account.id)
      .first<{ n: number }>();
    expect(admins!.n).toBe(1);
    // The refused write renamed nobody: only the demoted user carries the new name.
    const rows = await Promise.all(
      [w.admin, w.agent].map(async (u) => ({
        name: await userName(u.id),
        original: u.name,
        role: (await membership(w.account.id, u.id))!.role,
      })),
    );
    for (const r of rows) expect(r.name).toBe(r.role === "agent" ? "Loser" : r.original);
  });

  it("answers malformed JSON with 400 and unknown agents with 404", async () => {
    const w = await createWorld();
    const raw = { token: w.admin.token, raw: "{nope", headers: { "content-type": "application/json" } };
    expectError(
      await api("POST", `${w.base}/agents`, undefined, raw),
      400,
      /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/,
    );
    expectError(await as(w.admin).patch(`${w.base}/agents/999999`, { name: "X" }), 404, "Agent not found");
    expectError(await as(w.admin).delete(`${w.base}/agents/999999`), 404, "Agent not found");
    expectError(await as(w.admin).delete(`${w.base}/agents/abc`), 422);
  });
});

describe("agents: security", () => {
  it("requires a valid token", async () => {
    const w = await createWorld();
    expectError(await api("GET", `${w.base}/agents`), 401, "Invalid Access Token");
    expectError(await api("POST", `${w.base}/agents`, { name: "X", email: "x@example.test" }, { token: "wrong" }), 401);
  });

  it("lets only administrators add, change or remove agents", async () => {
    const w = await createWorld();
    expectError(await as(w.agent).post(`${w.base}/agents`, { name: "X", email: `${unique("x")}@example.test` }), 403);
    expectError(await as(w.agent).patch(`${w.base}/agents/${w.agent.id}`, { role: "administrator" }), 403);
    expectError(await as(w.agent).delete(`${w.base}/agents/${w.admin.id}`), 403);
    expect(await membership(w.account.id, w.agent.id)).toMatchObject({ role: "agent" });
    expect(await membership(w.account.id, w.admin.id)).toMatchObject({ role: "administrator" });
    expect((await as(w.admin).get(`${w.base}/agents`)).body).toHaveLength(3);
  });

  it("treats another account's users exactly like missing ones and leaves them unchanged", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const missing = await as(a.admin).patch(`${a.base}/agents/999999`, { name: "X" });
    const foreign = await as(a.admin).patch(`${a.base}/agents/${b.agent.id}`, {
      name: "Hacked",
      role: "administrator",
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expectError(await as(a.admin).delete(`${a.base}/agents/${b.agent.id}`), 404, "Agent not found");
    expectError(await as(a.admin).get(`${b.base}/agents`), 404, "Account not found");
    expect(await userName(b.agent.id)).toBe("Agent");
    expect(await membership(b.account.id, b.agent.id)).toMatchObject({ role: "agent" });
    const list = await as(a.admin).get(`${a.base}/agents`);
    expect(list.body.map((x: any) => x.id)).not.toContain(b.agent.id);
  });
});
