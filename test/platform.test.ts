import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sha256Hex, verifyPassword } from "../src/lib/crypto";
import { api } from "./helpers/api";
import { as, createContact, createConversation, createWorld, expectError, platform, unique } from "./helpers/factories";

const P = "/platform/api/v1";

const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n;

async function newUser(fields: Record<string, unknown> = {}) {
  const res = await platform().post(`${P}/users`, {
    name: "Pat",
    email: `${unique("pat")}@example.test`,
    password: "Platform-pass-1",
    ...fields,
  });
  if (res.status !== 200) throw new Error(`user create failed: ${res.text}`);
  return res.body;
}

describe("platform accounts", () => {
  it("creates, shows, updates (merging custom_attributes) and deletes an account", async () => {
    const created = await platform().post(`${P}/accounts`, {
      name: "Initech",
      locale: "pt_BR",
      domain: "initech.example",
      support_email: "help@initech.example",
      custom_attributes: { plan: "pro" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: "Initech",
      locale: "pt_BR",
      domain: "initech.example",
      support_email: "help@initech.example",
      status: "active",
      custom_attributes: { plan: "pro" },
      created_at: expect.any(Number),
    });
    const id = created.body.id;
    expect((await platform().get(`${P}/accounts/${id}`)).body).toEqual(created.body);

    const updated = await platform().patch(`${P}/accounts/${id}`, {
      name: "Initrode",
      custom_attributes: { seats: 5 },
      domain: "",
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: "Initrode",
      locale: "pt_BR",
      domain: null,
      custom_attributes: { plan: "pro", seats: 5 },
    });
    const put = await platform().put(`${P}/accounts/${id}`, { account: { locale: "en" } });
    expect(put.body).toMatchObject({ name: "Initrode", locale: "en" });

    const del = await platform().delete(`${P}/accounts/${id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: "Account deleted" });
    expectError(await platform().get(`${P}/accounts/${id}`), 404, "Account not found");
    expectError(await platform().delete(`${P}/accounts/${id}`), 404, "Account not found");
  });

  it("deleting an account cascades to its data but keeps its users", async () => {
    const w = await createWorld();
    await createContact(w);
    const id = w.account.id;
    expect(await count("select count(*) n from contacts where account_id = ?", id)).toBe(1);
    expect((await platform().delete(`${P}/accounts/${id}`)).status).toBe(200);
    for (const table of ["account_users", "inboxes", "contacts", "conversations", "messages", "teams"])
      expect(await count(`select count(*) n from ${table} where account_id = ?`, id)).toBe(0);
    expect(await count("select count(*) n from inbox_members where inbox_id = ?", w.inbox.id)).toBe(0);
    expect(await count("select count(*) n from users where id in (?, ?)", w.admin.id, w.agent.id)).toBe(2);
    const profile = await as(w.admin).get("/api/v1/profile");
    expect(profile.status).toBe(200);
    expect(profile.body.accounts).toEqual([]);
    expectError(await as(w.admin).get(`${w.base}/contacts`), 404, "Account not found");
  });

  it("suspending an account locks its agents out of it", async () => {
    const w = await createWorld();
    const res = await platform().patch(`${P}/accounts/${w.account.id}`, { status: "suspended" });
    expect(res.body.status).toBe("suspended");
    expectError(await as(w.agent).get(`${w.base}/contacts`), 401, "Account is suspended");
    await platform().patch(`${P}/accounts/${w.account.id}`, { status: "active" });
    expect((await as(w.agent).get(`${w.base}/contacts`)).status).toBe(200);
  });

  it("validates with field-level details, 400 on malformed JSON, 404 on unknown ids", async () => {
    const bad = await platform().post(`${P}/accounts`, {
      locale: "!!",
      support_email: "nope",
      status: "gone",
      custom_attributes: "[]",
    });
    expectError(bad, 422);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual([
      "custom_attributes",
      "locale",
      "name",
      "status",
      "support_email",
    ]);
    const malformed = await api("POST", `${P}/accounts`, undefined, {
      token: env.PLATFORM_API_TOKEN,
      raw: "{nope",
      headers: { "content-type": "application/json" },
    });
    expectError(malformed, 400, /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/);
    expectError(await platform().get(`${P}/accounts/999999`), 404, "Account not found");
    expectError(await platform().patch(`${P}/accounts/999999`, { name: "x" }), 404, "Account not found");
    expectError(await platform().get(`${P}/accounts/abc`), 422);
    expectError(await platform().patch(`${P}/accounts/1`, { name: "" }), 422);
  });
});

describe("platform users", () => {
  it("creates a user whose token is shown once, works on /api/v1, and is stored hashed", async () => {
    const email = `${unique("Pat")}@Example.TEST`;
    const res = await platform().post(`${P}/users`, {
      name: "Pat",
      email,
      password: "Platform-pass-1",
      display_name: "P.",
      custom_attributes: { employee_id: 7 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      name: "Pat",
      display_name: "P.",
      available_name: "P.",
      email: email.toLowerCase(),
      avatar_url: "",
      custom_attributes: { employee_id: 7 },
      confirmed: true,
      access_token: expect.any(String),
    });
    expect(res.text).not.toMatch(/pbkdf2|password/);
    const { id, access_token } = res.body;

    const self = await as({ token: access_token }).get("/api/v1/profile");
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ id, access_token, accounts: [] });

    const shown = await platform().get(`${P}/users/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty("access_token");
    expect(shown.text).not.toContain(access_token);
    expect(shown.body).toMatchObject({ id, email: email.toLowerCase() });

    const dump = JSON.stringify(
      (await env.DB.prepare("select * from access_tokens where user_id = ?").bind(id).all()).results,
    );
    expect(dump).not.toContain(access_token);
    expect(dump).toContain(await sha256Hex(access_token));
  });

  it("updates name, e-mail, password, display_name and merges custom_attributes", async () => {
    const u = await newUser({ custom_attributes: { a: 1 } });
    const email = `${unique("moved")}@example.test`;
    const res = await platform().patch(`${P}/users/${u.id}`, {
      name: "Patricia",
      email,
      password: "Another-pass-2",
      display_name: null,
      custom_attributes: { b: 2 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "Patricia",
      email,
      display_name: null,
      available_name: "Patricia",
      custom_attributes: { a: 1, b: 2 },
    });
    expect(res.body).not.toHaveProperty("access_token");
    const row = await env.DB.prepare("select password_hash from users where id = ?")
      .bind(u.id)
      .first<{ password_hash: string }>();
    expect(await verifyPassword("Another-pass-2", row!.password_hash)).toBe(true);
    const put = await platform().put(`${P}/users/${u.id}`, { user: { name: "Pat again" } });
    expect(put.body).toMatchObject({ name: "Pat again", email });
    // The token still works after an operator update.
    expect((await as({ token: u.access_token }).get("/api/v1/profile")).body.name).toBe("Pat again");
  });

  it("keeps e-mails unique (422) and validates fields", async () => {
    const a = await newUser();
    const b = await newUser();
    expectError(
      await platform().post(`${P}/users`, { name: "Dup", email: a.email.toUpperCase() }),
      422,
      "Email has already been taken",
    );
    const patch = await platform().patch(`${P}/users/${b.id}`, { email: a.email });
    expectError(patch, 422, "Email has already been taken");
    expect(patch.body.details).toEqual([{ field: "email", message: "has already been taken" }]);
    const bad = await platform().post(`${P}/users`, { email: "nope", password: "short" });
    expectError(bad, 422);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(["email", "name", "password"]);
    expectError(await platform().patch(`${P}/users/${b.id}`, { custom_attributes: 5 }), 422);
    expectError(await platform().get(`${P}/users/999999`), 404, "User not found");
    expectError(await platform().patch(`${P}/users/999999`, { name: "x" }), 404, "User not found");
  });

  it("deletes a user: their token stops working and their memberships go", async () => {
    const w = await createWorld();
    const res = await platform().delete(`${P}/users/${w.agent.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "User deleted" });
    expectError(await as(w.agent).get("/api/v1/profile"), 401, "Invalid Access Token");
    expect(await count("select count(*) n from account_users where user_id = ?", w.agent.id)).toBe(0);
    expect(await count("select count(*) n from access_tokens where user_id = ?", w.agent.id)).toBe(0);
    expectError(await platform().get(`${P}/users/${w.agent.id}`), 404, "User not found");
    expectError(await platform().delete(`${P}/users/${w.agent.id}`), 404, "User not found");
  });
});

describe("platform account users", () => {
  it("lists, adds, changes the role of and removes members", async () => {
    const w = await createWorld();
    const base = `${P}/accounts/${w.account.id}/account_users`;
    const list = await platform().get(base);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      { account_id: w.account.id, user_id: w.admin.id, role: "administrator" },
      { account_id: w.account.id, user_id: w.agent.id, role: "agent" },
      { account_id: w.account.id, user_id: w.outsider.id, role: "agent" },
    ]);

    const u = await newUser();
    const added = await platform().post(base, { user_id: String(u.id), role: "administrator" });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ account_id: w.account.id, user_id: u.id, role: "administrator" });
    const profile = await as({ token: u.access_token }).get("/api/v1/profile");
    expect(profile.body.accounts).toEqual([expect.objectContaining({ id: w.account.id, role: "administrator" })]);
    expect((await as({ token: u.access_token }).get(`${w.base}/contacts`)).status).toBe(200);

    const demoted = await platform().post(base, { user_id: u.id, role: "agent" });
    expect(demoted.body.role).toBe("agent");
    const defaulted = await platform().post(base, { user_id: (await newUser()).id });
    expect(defaulted.body.role).toBe("agent");
    expect((await platform().get(base)).body).toHaveLength(5);

    const removed = await platform().delete(base, { user_id: u.id });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ message: "Account user deleted" });
    expectError(await as({ token: u.access_token }).get(`${w.base}/contacts`), 404, "Account not found");
    expectError(await platform().delete(base, { user_id: u.id }), 404, "Account user not found");
  });

  it(
    "removing a member also takes them out of the account's inboxes " +
      "and unassigns them; DELETE accepts user_id in the query",
    async () => {
      const w = await createWorld();
      const other = await createWorld("Other");
      await platform().post(`${P}/accounts/${other.account.id}/account_users`, { user_id: w.agent.id });
      await createConversation(w);
      await env.DB.prepare("update conversations set assignee_id = ? where account_id = ?")
        .bind(w.agent.id, w.account.id)
        .run();
      const res = await api("DELETE", `${P}/accounts/${w.account.id}/account_users`, undefined, {
        token: env.PLATFORM_API_TOKEN,
        query: { user_id: String(w.agent.id) },
      });
      expect(res.status).toBe(200);
      expect(
        await count("select count(*) n from inbox_members where inbox_id = ? and user_id = ?", w.inbox.id, w.agent.id),
      ).toBe(0);
      expect(
        await count("select count(*) n from inbox_members where inbox_id = ? and user_id = ?", w.inbox.id, w.admin.id),
      ).toBe(1);
      expect(
        await count("select count(*) n from conversations where account_id = ? and assignee_id is null", w.account.id),
      ).toBe(1);
      const profile = await as(w.agent).get("/api/v1/profile");
      expect(profile.body.accounts.map((a: any) => a.id)).toEqual([other.account.id]);
    },
  );

  it("answers 404 for unknown accounts or users and 422 for bad input", async () => {
    const w = await createWorld();
    const base = `${P}/accounts/${w.account.id}/account_users`;
    expectError(await platform().get(`${P}/accounts/999999/account_users`), 404, "Account not found");
    expectError(
      await platform().post(`${P}/accounts/999999/account_users`, { user_id: w.admin.id }),
      404,
      "Account not found",
    );
    expectError(await platform().post(base, { user_id: 999999 }), 404, "User not found");
    expectError(
      await platform().delete(`${P}/accounts/999999/account_users`, { user_id: w.admin.id }),
      404,
      "Account not found",
    );
    const bad = await platform().post(base, { user_id: "x", role: "owner" });
    expectError(bad, 422);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(["role", "user_id"]);
    expectError(await platform().delete(base, {}), 422);
    expect(await count("select count(*) n from account_users where account_id = ?", w.account.id)).toBe(3);
  });
});

describe("platform: security", () => {
  const routes: [string, string, unknown?][] = [
    ["POST", `${P}/accounts`, { name: "Nope" }],
    ["GET", `${P}/accounts/1`],
    ["PATCH", `${P}/accounts/1`, { name: "Nope" }],
    ["DELETE", `${P}/accounts/1`],
    ["POST", `${P}/users`, { name: "Nope", email: "nope@example.test" }],
    ["GET", `${P}/users/1`],
    ["PATCH", `${P}/users/1`, { name: "Nope" }],
    ["DELETE", `${P}/users/1`],
    ["GET", `${P}/accounts/1/account_users`],
    ["POST", `${P}/accounts/1/account_users`, { user_id: 1 }],
    ["DELETE", `${P}/accounts/1/account_users`, { user_id: 1 }],
  ];

  it("refuses a missing or wrong token, and agent tokens, on every platform route", async () => {
    const w = await createWorld();
    const before = await count("select count(*) n from accounts");
    for (const [method, path, body] of routes) {
      expectError(await api(method, path, body), 401, "Invalid Access Token");
      expectError(await api(method, path, body, { token: "wrong" }), 401, "Invalid Access Token");
      expectError(await api(method, path, body, { token: w.admin.token }), 401, "Invalid Access Token");
      expectError(
        await api(method, path, body, { headers: { authorization: `Bearer ${w.admin.token}` } }),
        401,
        "Invalid Access Token",
      );
    }
    expect(await count("select count(*) n from accounts")).toBe(before);
    expect((await as(w.admin).get(`${w.base}/contacts`)).status).toBe(200);
  });

  it("accepts the platform token in every header form", async () => {
    const w = await createWorld();
    const token = env.PLATFORM_API_TOKEN!;
    const forms: { headers?: Record<string, string>; query?: Record<string, string> }[] = [
      { headers: { api_access_token: token } },
      { headers: { "Api-Access-Token": token } },
      { headers: { authorization: `Bearer ${token}` } },
      { query: { api_access_token: token } },
    ];
    for (const opts of forms) {
      const res = await api("GET", `${P}/accounts/${w.account.id}`, undefined, opts);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(w.account.id);
    }
  });

  it("the platform token is not an agent token: /api/v1 refuses it", async () => {
    const w = await createWorld();
    expectError(await platform().get("/api/v1/profile"), 401, "Invalid Access Token");
    expectError(await platform().get(`${w.base}/contacts`), 401, "Invalid Access Token");
    expectError(await platform().post(`${w.base}/contacts`, { name: "Nope" }), 401, "Invalid Access Token");
  });

  it("documents every platform route in /openapi.json with the platform token scheme", async () => {
    const res = await api("GET", "/openapi.json");
    const doc = res.body;
    expect(doc.components.securitySchemes.platform_token).toMatchObject({ type: "apiKey", in: "header" });
    const ops = [
      ["post", "/platform/api/v1/accounts"],
      ["get", "/platform/api/v1/accounts/{account_id}"],
      ["patch", "/platform/api/v1/accounts/{account_id}"],
      ["delete", "/platform/api/v1/accounts/{account_id}"],
      ["post", "/platform/api/v1/users"],
      ["get", "/platform/api/v1/users/{id}"],
      ["patch", "/platform/api/v1/users/{id}"],
      ["delete", "/platform/api/v1/users/{id}"],
      ["get", "/platform/api/v1/accounts/{account_id}/account_users"],
      ["post", "/platform/api/v1/accounts/{account_id}/account_users"],
      ["delete", "/platform/api/v1/accounts/{account_id}/account_users"],
    ];
    for (const [method, path] of ops)
      expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ platform_token: [] }]);
    for (const [method, path] of [
      ["get", "/api/v1/profile"],
      ["put", "/api/v1/profile"],
      ["patch", "/api/v1/profile"],
      ["post", "/api/v1/profile/availability"],
      ["post", "/api/v1/profile/auto_offline"],
      ["post", "/api/v1/profile/reset_access_token"],
    ])
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.components.schemas).toHaveProperty("PlatformUser");
    expect(doc.components.schemas).toHaveProperty("Profile");
  });
});

describe("platform: tokens for agents created by administrators", () => {
  it("issues a new token for an agent, and the old one stops working", async () => {
    const w = await createWorld();
    const created = await as(w.admin).post(`${w.base}/agents`, {
      name: "New Agent",
      email: `${unique("new")}@example.test`,
      role: "agent",
    });
    expect(created.status).toBe(200);
    expect(JSON.stringify(created.body)).not.toContain("access_token");
    const first = await platform().post(`${P}/users/${created.body.id}/reset_access_token`);
    expect(first.status).toBe(200);
    expect(first.body.access_token).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32}$/);
    expect((await as({ token: first.body.access_token }).get(`${w.base}/conversations`)).status).toBe(200);
    const second = await platform().post(`${P}/users/${created.body.id}/reset_access_token`);
    expectError(await as({ token: first.body.access_token }).get(`${w.base}/conversations`), 401);
    expect((await as({ token: second.body.access_token }).get("/api/v1/profile")).body.email).toBe(created.body.email);
    expect(
      await count(
        "select count(*) n from access_tokens where token_hash = ?",
        await sha256Hex(second.body.access_token),
      ),
    ).toBe(1);
    expectError(await platform().post(`${P}/users/999999/reset_access_token`), 404);
    expectError(await as(w.admin).post(`${P}/users/${created.body.id}/reset_access_token`), 401);
  });
});
