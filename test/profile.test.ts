import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sha256Hex, verifyPassword } from "../src/lib/crypto";
import { addToAccount } from "../src/services/users";
import { api } from "./helpers/api";
import { as, createWorld, expectError, unique } from "./helpers/factories";

const PROFILE = "/api/v1/profile";

const membership = async (accountId: number, userId: number) =>
  env.DB.prepare("select role, availability, auto_offline from account_users where account_id = ? and user_id = ?")
    .bind(accountId, userId)
    .first<{ role: string; availability: string; auto_offline: number }>();

const passwordHash = async (userId: number) =>
  (await env.DB.prepare("select password_hash from users where id = ?")
    .bind(userId)
    .first<{ password_hash: string }>())!.password_hash;

describe("profile: happy path", () => {
  it("shows the caller's own profile with their token and every account they belong to", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    await addToAccount(w.db, other.account.id, w.agent.id, "administrator", "busy");

    const res = await as(w.agent).get(PROFILE);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: w.agent.id,
      access_token: w.agent.token,
      email: w.agent.email,
      name: "Agent",
      available_name: "Agent",
      display_name: null,
      confirmed: true,
      provider: "email",
      type: "user",
      uid: w.agent.email,
      account_id: w.account.id,
      role: "agent",
      pubsub_token: expect.any(String),
      ui_settings: {},
      custom_attributes: {},
    });
    expect(res.body.accounts).toEqual([
      expect.objectContaining({
        id: w.account.id,
        name: w.account.name,
        role: "agent",
        availability: "online",
        availability_status: "online",
        auto_offline: true,
      }),
      expect.objectContaining({ id: other.account.id, role: "administrator", availability: "busy" }),
    ]);
    expect(res.body).not.toHaveProperty("password_hash");
    expect(res.text).not.toMatch(/pbkdf2|password/);
  });

  it("updates flat (PUT) and wrapped (PATCH) bodies, merging ui_settings and custom_attributes", async () => {
    const w = await createWorld();
    const email = `${unique("new")}@Example.TEST`;
    const put = await as(w.agent).put(PROFILE, {
      name: "Renamed",
      display_name: "Ren",
      email,
      message_signature: "-- Ren",
      avatar_url: "https://cdn.example.test/ren.png",
      ui_settings: { theme: "dark", sidebar: "open" },
      custom_attributes: { team: "blue" },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      name: "Renamed",
      display_name: "Ren",
      available_name: "Ren",
      email: email.toLowerCase(),
      message_signature: "-- Ren",
      avatar_url: "https://cdn.example.test/ren.png",
      access_token: w.agent.token,
    });

    const patch = await as(w.agent).patch(PROFILE, {
      profile: {
        ui_settings: { sidebar: "closed" },
        custom_attributes: { floor: 3 },
        phone_number: "+14155550100",
        account_id: w.account.id,
      },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.ui_settings).toEqual({ theme: "dark", sidebar: "closed" });
    expect(patch.body.custom_attributes).toEqual({ team: "blue", floor: 3, phone_number: "+14155550100" });
    expect(patch.body.name).toBe("Renamed");

    const shown = await as(w.agent).get(PROFILE);
    expect(shown.body).toMatchObject({ name: "Renamed", ui_settings: { theme: "dark", sidebar: "closed" } });

    // Multipart, as the Chatwoot dashboard sends it: objects as JSON strings, "" clears a field.
    const form = new FormData();
    form.set("display_name", "");
    form.set("ui_settings", JSON.stringify({ theme: "light" }));
    const multipart = await api("PUT", PROFILE, form, { token: w.agent.token });
    expect(multipart.status).toBe(200);
    expect(multipart.body).toMatchObject({
      display_name: null,
      available_name: "Renamed",
      ui_settings: { theme: "light", sidebar: "closed" },
    });
  });

  it("changes the password given the current one and a matching confirmation", async () => {
    const w = await createWorld();
    const res = await as(w.agent).patch(PROFILE, {
      profile: {
        current_password: "Secret-password-1",
        password: "New-password-2",
        password_confirmation: "New-password-2",
      },
    });
    expect(res.status).toBe(200);
    const stored = await passwordHash(w.agent.id);
    expect(await verifyPassword("New-password-2", stored)).toBe(true);
    expect(await verifyPassword("Secret-password-1", stored)).toBe(false);
    // A blank password field (form clients) means "not changing it".
    const blank = await as(w.agent).put(PROFILE, { name: "Same", password: "", current_password: "" });
    expect(blank.status).toBe(200);
    expect(await passwordHash(w.agent.id)).toBe(stored);
  });

  it("sets availability and auto_offline per account, flat or wrapped, and returns the profile", async () => {
    const w = await createWorld();
    const res = await as(w.agent).post(`${PROFILE}/availability`, {
      profile: { account_id: String(w.account.id), availability: "busy" },
    });
    expect(res.status).toBe(200);
    expect(res.body.accounts[0]).toMatchObject({ id: w.account.id, availability: "busy", availability_status: "busy" });
    expect((await membership(w.account.id, w.agent.id))?.availability).toBe("busy");

    const flat = await as(w.agent).post(`${PROFILE}/availability`, {
      account_id: w.account.id,
      availability: "offline",
    });
    expect(flat.body.accounts[0].availability).toBe("offline");

    const auto = await as(w.agent).post(`${PROFILE}/auto_offline`, {
      profile: { account_id: w.account.id, auto_offline: "false" },
    });
    expect(auto.status).toBe(200);
    expect(auto.body.accounts[0].auto_offline).toBe(false);
    expect((await membership(w.account.id, w.agent.id))?.auto_offline).toBe(0);
    // Other members are untouched.
    expect((await membership(w.account.id, w.admin.id))?.availability).toBe("online");
  });

  it("resets the access token: the old one stops working at once, the new one works", async () => {
    const w = await createWorld();
    const res = await as(w.agent).post(`${PROFILE}/reset_access_token`);
    expect(res.status).toBe(200);
    const fresh = res.body.access_token as string;
    expect(fresh).toMatch(/^[1-9A-HJ-NP-Za-km-z]{20,}$/);
    expect(fresh).not.toBe(w.agent.token);
    expect(res.body.id).toBe(w.agent.id);

    expectError(await as(w.agent).get(PROFILE), 401, "Invalid Access Token");
    expectError(await as(w.agent).get(`${w.base}/contacts`), 401, "Invalid Access Token");
    const again = await as({ token: fresh }).get(PROFILE);
    expect(again.status).toBe(200);
    expect(again.body.access_token).toBe(fresh);

    const { results } = await env.DB.prepare("select token_hash from access_tokens where user_id = ?")
      .bind(w.agent.id)
      .all();
    expect(results).toEqual([{ token_hash: await sha256Hex(fresh) }]);
  });
});

describe("profile: errors", () => {
  it("refuses a password change with a wrong or missing current password", async () => {
    const w = await createWorld();
    const before = await passwordHash(w.agent.id);
    const wrong = await as(w.agent).put(PROFILE, {
      current_password: "not-it-at-all",
      password: "New-password-2",
      password_confirmation: "New-password-2",
    });
    expectError(wrong, 422, "Invalid current password");
    expect(wrong.body.details).toEqual([{ field: "current_password", message: "is invalid" }]);
    expectError(
      await as(w.agent).put(PROFILE, { password: "New-password-2", password_confirmation: "New-password-2" }),
      422,
      "Invalid current password",
    );
    expect(await passwordHash(w.agent.id)).toBe(before);
  });

  it("validates password length and confirmation with field-level details", async () => {
    const w = await createWorld();
    const short = await as(w.agent).put(PROFILE, {
      current_password: "Secret-password-1",
      password: "short",
      password_confirmation: "short",
    });
    expectError(short, 422);
    expect(short.body.details.map((d: any) => d.field)).toEqual(["password"]);
    const mismatch = await as(w.agent).put(PROFILE, {
      current_password: "Secret-password-1",
      password: "New-password-2",
      password_confirmation: "New-password-3",
    });
    expectError(mismatch, 422);
    expect(mismatch.body.details).toEqual([{ field: "password_confirmation", message: "doesn't match password" }]);
    const missing = await as(w.agent).put(PROFILE, {
      current_password: "Secret-password-1",
      password: "New-password-2",
    });
    expect(missing.body.details.map((d: any) => d.field)).toEqual(["password_confirmation"]);
  });

  it("rejects bad fields, a taken e-mail, malformed JSON, and memberships the caller lacks", async () => {
    const w = await createWorld();
    const bad = await as(w.agent).put(PROFILE, { name: "", email: "nope", ui_settings: [1], avatar_url: "not a url" });
    expectError(bad, 422);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(["avatar_url", "email", "name", "ui_settings"]);

    expectError(
      await as(w.agent).put(PROFILE, { email: w.admin.email.toUpperCase() }),
      422,
      "Email has already been taken",
    );
    expect((await as(w.agent).put(PROFILE, { email: w.agent.email })).status).toBe(200);

    const malformed = await api("PUT", PROFILE, undefined, {
      token: w.agent.token,
      raw: "{nope",
      headers: { "content-type": "application/json" },
    });
    expectError(malformed, 400, /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/);

    const other = await createWorld("Other");
    expectError(
      await as(w.agent).post(`${PROFILE}/availability`, {
        profile: { account_id: other.account.id, availability: "online" },
      }),
      404,
      "Account not found",
    );
    expectError(
      await as(w.agent).post(`${PROFILE}/auto_offline`, { account_id: 999999, auto_offline: true }),
      404,
      "Account not found",
    );
    expect((await membership(other.account.id, other.agent.id))?.availability).toBe("online");
    const badAvailability = await as(w.agent).post(`${PROFILE}/availability`, {
      account_id: w.account.id,
      availability: "away",
    });
    expectError(badAvailability, 422);
    expect(badAvailability.body.details.map((d: any) => d.field)).toEqual(["availability"]);
    expectError(await as(w.agent).post(`${PROFILE}/availability`, {}), 422);
  });
});

describe("profile: security", () => {
  it("requires a valid agent token; the platform token is not one", async () => {
    expectError(await api("GET", PROFILE), 401, "Invalid Access Token");
    expectError(await api("GET", PROFILE, undefined, { token: "wrong" }), 401, "Invalid Access Token");
    expectError(await api("GET", PROFILE, undefined, { token: env.PLATFORM_API_TOKEN }), 401, "Invalid Access Token");
    expectError(await api("PUT", PROFILE, { name: "x" }), 401, "Invalid Access Token");
    expectError(await api("POST", `${PROFILE}/reset_access_token`), 401, "Invalid Access Token");
  });

  it("accepts every header form Chatwoot clients send", async () => {
    const w = await createWorld();
    const forms: { headers?: Record<string, string>; query?: Record<string, string> }[] = [
      { headers: { "Api-Access-Token": w.agent.token } },
      { headers: { authorization: `Bearer ${w.agent.token}` } },
      { query: { api_access_token: w.agent.token } },
    ];
    for (const opts of forms) {
      const res = await api("GET", PROFILE, undefined, opts);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(w.agent.id);
    }
  });

  it("never shows another user's data, and resetting one token leaves the others alone", async () => {
    const w = await createWorld();
    const mine = await as(w.agent).get(PROFILE);
    expect(mine.text).not.toContain(w.admin.token);
    expect(mine.text).not.toContain(w.admin.email);
    expect(mine.text).not.toContain(w.outsider.email);
    await as(w.agent).post(`${PROFILE}/reset_access_token`);
    const admin = await as(w.admin).get(PROFILE);
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ id: w.admin.id, access_token: w.admin.token });
  });

  it("stores access tokens only as SHA-256 hashes", async () => {
    const w = await createWorld();
    const reset = await as(w.agent).post(`${PROFILE}/reset_access_token`);
    const dump = JSON.stringify((await env.DB.prepare("select * from access_tokens").all()).results);
    for (const plain of [w.admin.token, w.agent.token, reset.body.access_token]) expect(dump).not.toContain(plain);
    expect(dump).toContain(await sha256Hex(reset.body.access_token));
  });
});
