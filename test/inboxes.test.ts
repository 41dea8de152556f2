import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "./helpers/api";
import { as, createContact, createWorld, expectError, type World } from "./helpers/factories";

const inboxRow = async (id: number) =>
  env.DB.prepare("select * from inboxes where id = ?").bind(id).first<Record<string, unknown>>();
const inboxCount = async (accountId: number) =>
  (await env.DB.prepare("select count(*) n from inboxes where account_id = ?").bind(accountId).first<{ n: number }>())!
    .n;

const createBody = {
  name: "Support API",
  channel: {
    type: "api",
    webhook_url: "https://hooks.example.com/k",
    hmac_mandatory: true,
    additional_attributes: { agent_reply_time_window: 24 },
  },
  enable_auto_assignment: false,
  lock_to_single_conversation: true,
  allow_messages_after_resolved: false,
  greeting_enabled: true,
  greeting_message: "Hi there",
  timezone: "Europe/Berlin",
  working_hours_enabled: true,
  out_of_office_message: "We are away",
  csat_survey_enabled: true,
  auto_assignment_config: { max_assignment_limit: 5 },
};

const DAY_MS = 24 * 60 * 60 * 1000;

async function newInbox(w: World, body: Record<string, unknown> = createBody) {
  const res = await as(w.admin).post(`${w.base}/inboxes`, body);
  if (res.status !== 200) throw new Error(`inbox create failed: ${res.text}`);
  return res.body;
}

describe("inboxes: happy path", () => {
  it("creates an API inbox and answers the bare inbox JSON with its secrets for the administrator", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/inboxes`, createBody);
    expect(res.status).toBe(200);
    const { type: _type, ...channel } = createBody.channel;
    const { channel: _channel, ...fields } = createBody;
    expect(res.body).toMatchObject({
      ...fields,
      ...channel,
      id: expect.any(Number),
      account_id: w.account.id,
      channel_type: "Channel::Api",
      inbox_identifier: expect.any(String),
      hmac_token: expect.any(String),
      secret: expect.stringMatching(/^whsec_/),
    });
    const row = await inboxRow(res.body.id);
    expect(row).toMatchObject({ account_id: w.account.id, secret: res.body.secret, hmac_token: res.body.hmac_token });
  });

  it("accepts a body wrapped in `inbox` and defaults to an API channel without webhook", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/inboxes/`, { inbox: { name: "Wrapped", greeting_enabled: "true" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "Wrapped",
      channel_type: "Channel::Api",
      webhook_url: null,
      greeting_enabled: true,
      timezone: "UTC",
    });
  });

  it("lists and shows all inboxes to administrators, member inboxes (without secrets) to agents", async () => {
    const w = await createWorld();
    const admin = await as(w.admin).get(`${w.base}/inboxes`);
    expect(admin.status).toBe(200);
    expect(admin.body.payload.map((i: any) => i.id)).toEqual([w.inbox.id, w.otherInbox.id]);
    expect(admin.body.payload[0]).toMatchObject({ hmac_token: w.inbox.hmacToken, secret: w.inbox.secret });

    const agent = await as(w.agent).get(`${w.base}/inboxes/`);
    expect(agent.body.payload.map((i: any) => i.id)).toEqual([w.inbox.id]);
    expect(agent.body.payload[0]).not.toHaveProperty("hmac_token");
    expect(agent.body.payload[0]).not.toHaveProperty("secret");
    expect(agent.text).not.toContain(w.inbox.secret);

    const outsider = await as(w.outsider).get(`${w.base}/inboxes`);
    expect(outsider.body).toEqual({ payload: [] });
    const shown = await as(w.agent).get(`${w.base}/inboxes/${w.inbox.id}/`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: w.inbox.id, name: "API inbox", inbox_identifier: w.inbox.identifier });
    expect(shown.body).not.toHaveProperty("secret");
    const full = await as(w.admin).get(`${w.base}/inboxes/${w.inbox.id}`);
    expect(full.body).toMatchObject({ secret: w.inbox.secret, hmac_token: w.inbox.hmacToken });
  });

  it("updates fields and the channel part with PATCH and PUT, leaving the rest alone", async () => {
    const w = await createWorld();
    const created = await newInbox(w);
    const patched = await as(w.admin).patch(`${w.base}/inboxes/${created.id}`, {
      name: "Renamed",
      channel: {
        webhook_url: "https://receiver.example.net:9000/hook",
        hmac_mandatory: false,
        additional_attributes: { x: 1 },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: "Renamed",
      webhook_url: "https://receiver.example.net:9000/hook",
      hmac_mandatory: false,
      additional_attributes: { x: 1 },
      greeting_message: "Hi there",
      timezone: "Europe/Berlin",
      secret: created.secret,
    });
    const put = await as(w.admin).put(`${w.base}/inboxes/${created.id}`, {
      inbox: { greeting_enabled: false, channel: { webhook_url: "" } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: "Renamed", greeting_enabled: false, webhook_url: null });
    expect(await inboxRow(created.id)).toMatchObject({ name: "Renamed", webhook_url: null, greeting_enabled: 0 });
  });

  it("regenerates the signing secret, keeping the previous one signing for 24 hours", async () => {
    const w = await createWorld();
    const before = Date.now();
    const res = await as(w.admin).post(`${w.base}/inboxes/${w.inbox.id}/reset_secret`);
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^whsec_/);
    expect(res.body.secret).not.toBe(w.inbox.secret);
    expect(res.body).toMatchObject({
      id: w.inbox.id,
      hmac_token: w.inbox.hmacToken,
      inbox_identifier: w.inbox.identifier,
    });
    expect(res.body).not.toHaveProperty("previous_secret");
    const row = await inboxRow(w.inbox.id);
    expect(row).toMatchObject({
      secret: res.body.secret,
      previous_secret: w.inbox.secret,
      hmac_token: w.inbox.hmacToken,
    });
    expect(row!.previous_secret_expires_at as number).toBeGreaterThanOrEqual(before + DAY_MS);
    expect(row!.previous_secret_expires_at as number).toBeLessThanOrEqual(Date.now() + DAY_MS);

    const again = await as(w.admin).post(`${w.base}/inboxes/${w.inbox.id}/reset_secret`);
    expect(await inboxRow(w.inbox.id)).toMatchObject({ secret: again.body.secret, previous_secret: res.body.secret });
  });

  it("shows and updates the webhook_url's subscriptions, private-note opt-in and health", async () => {
    const w = await createWorld();
    const defaults = await as(w.agent).get(`${w.base}/inboxes/${w.inbox.id}`);
    expect(defaults.body).toMatchObject({
      webhook_subscriptions: null,
      webhook_include_private: false,
      webhook_disabled: false,
      webhook_failing_since: null,
    });

    const created = await newInbox(w, {
      name: "Filtered",
      channel: {
        type: "api",
        webhook_url: "https://hooks.example.com/f",
        webhook_subscriptions: ["message_created", "conversation_status_changed"],
        webhook_include_private: true,
      },
    });
    expect(created).toMatchObject({
      webhook_subscriptions: ["message_created", "conversation_status_changed"],
      webhook_include_private: true,
    });
    expect(await inboxRow(created.id)).toMatchObject({
      webhook_subscriptions: '["message_created","conversation_status_changed"]',
      webhook_include_private: 1,
    });

    const path = `${w.base}/inboxes/${created.id}`;
    const listed = await as(w.admin).patch(path, {
      channel: { webhook_subscriptions: "message_created, message_updated", webhook_include_private: "false" },
    });
    expect(listed.body).toMatchObject({
      webhook_subscriptions: ["message_created", "message_updated"],
      webhook_include_private: false,
    });
    const json = await as(w.admin).patch(path, { channel: { webhook_subscriptions: '["conversation_typing_on"]' } });
    expect(json.body.webhook_subscriptions).toEqual(["conversation_typing_on"]);
    const everything = await as(w.admin).patch(path, { channel: { webhook_subscriptions: null } });
    expect(everything.body).toMatchObject({ webhook_subscriptions: null, webhook_url: "https://hooks.example.com/f" });
    expect(await inboxRow(created.id)).toMatchObject({ webhook_subscriptions: null });
  });

  it("clears a disabled webhook_url's failure state when the URL is set again", async () => {
    const w = await createWorld();
    const created = await newInbox(w);
    const failingSince = Date.now() - 5 * DAY_MS;
    await env.DB.prepare("update inboxes set webhook_disabled = 1, webhook_failing_since = ? where id = ?")
      .bind(failingSince, created.id)
      .run();
    const path = `${w.base}/inboxes/${created.id}`;
    const shown = await as(w.admin).get(path);
    expect(shown.body).toMatchObject({
      webhook_disabled: true,
      webhook_failing_since: Math.floor(failingSince / 1000),
    });
    const renamed = await as(w.admin).patch(path, { name: "Still failing", channel: { hmac_mandatory: false } });
    expect(renamed.body).toMatchObject({
      webhook_disabled: true,
      webhook_failing_since: Math.floor(failingSince / 1000),
    });
    const fixed = await as(w.admin).patch(path, { channel: { webhook_url: "https://fixed.example.com/hook" } });
    expect(fixed.body).toMatchObject({
      webhook_url: "https://fixed.example.com/hook",
      webhook_disabled: false,
      webhook_failing_since: null,
    });
    expect(await inboxRow(created.id)).toMatchObject({ webhook_disabled: 0, webhook_failing_since: null });
  });

  it("deletes an inbox with its contact_inboxes and memberships", async () => {
    const w = await createWorld();
    await createContact(w);
    const res = await as(w.admin).delete(`${w.base}/inboxes/${w.inbox.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "Inbox deleted" });
    expectError(await as(w.admin).get(`${w.base}/inboxes/${w.inbox.id}`), 404, "Inbox not found");
    const sql =
      "select (select count(*) from contact_inboxes where inbox_id = ?1) " +
      "ci, (select count(*) from inbox_members where inbox_id = ?1) m";
    const left = await env.DB.prepare(sql).bind(w.inbox.id).first();
    expect(left).toEqual({ ci: 0, m: 0 });
  });
});

describe("inboxes: errors", () => {
  it("refuses channel types other than api with a clear 422 and creates nothing", async () => {
    const w = await createWorld();
    for (const type of ["web_widget", "email"]) {
      const res = await as(w.admin).post(`${w.base}/inboxes`, {
        name: "Widget",
        channel: { type, website_url: "https://x.test" },
      });
      expectError(res, 422, new RegExp(`channel type "${type}" is not supported: only "api"`));
      expect(res.body.details).toEqual([{ field: "channel.type", message: expect.stringContaining('only "api"') }]);
    }
    expect(await inboxCount(w.account.id)).toBe(2);
  });

  it("validates fields with details: webhook_url must be http(s), name required, time zone real", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/inboxes`, {
      channel: { type: "api", webhook_url: "ftp://files.example.com" },
      timezone: "Mars/Olympus",
      greeting_enabled: "maybe",
    });
    expectError(res, 422);
    expect(res.body.details.map((d: any) => d.field).sort()).toEqual([
      "channel.webhook_url",
      "greeting_enabled",
      "name",
      "timezone",
    ]);
    expect(res.body.details.find((d: any) => d.field === "channel.webhook_url").message).toBe("must be an http(s) URL");
    expect(await inboxCount(w.account.id)).toBe(2);

    const bad = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, {
      name: "Changed",
      channel: { webhook_url: "javascript:alert(1)" },
    });
    expectError(bad, 422, /channel\.webhook_url: must be an http\(s\) URL/);
    expect(await inboxRow(w.inbox.id)).toMatchObject({ name: "API inbox", webhook_url: null });
    expectError(await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, { name: "" }), 422);
  });

  it("refuses webhook_urls on private, loopback and link-local addresses, and URLs with credentials", async () => {
    const w = await createWorld();
    const privateMessage = "must not point at a private, loopback or link-local address";
    for (const webhook_url of [
      "http://127.0.0.1:9000/hook",
      "http://localhost/",
      "http://0x7f000001/",
      "http://[::1]/",
      "http://192.168.0.10/",
      "http://[::ffff:10.0.0.1]/",
    ]) {
      const created = await as(w.admin).post(`${w.base}/inboxes`, {
        name: "Private",
        channel: { type: "api", webhook_url },
      });
      expectError(created, 422, `Validation failed: channel.webhook_url: ${privateMessage}`);
      expect(created.body.details).toEqual([{ field: "channel.webhook_url", message: privateMessage }]);
      const updated = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, {
        name: "Changed",
        channel: { webhook_url },
      });
      expectError(updated, 422, /channel\.webhook_url: must not point at a private/);
    }
    const creds = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, {
      channel: { webhook_url: "https://u:p@hooks.example.com/" },
    });
    expectError(creds, 422, /channel\.webhook_url: must not contain a user name or password/);
    expect(await inboxCount(w.account.id)).toBe(2);
    expect(await inboxRow(w.inbox.id)).toMatchObject({ name: "API inbox", webhook_url: null });

    const normalised = await as(w.admin).patch(`${w.base}/inboxes/${w.inbox.id}`, {
      channel: { webhook_url: " HTTPS://Hooks.Example.com " },
    });
    expect(normalised.body.webhook_url).toBe("https://hooks.example.com/");
  });

  it("validates webhook_subscriptions against the events an inbox webhook_url receives", async () => {
    const w = await createWorld();
    const path = `${w.base}/inboxes/${w.inbox.id}`;
    const inboxOnly = await as(w.admin).patch(path, {
      channel: { webhook_subscriptions: ["message_created", "contact_created", "inbox_updated"] },
    });
    expectError(inboxOnly, 422, /channel\.webhook_subscriptions: unknown events: contact_created, inbox_updated/);
    expect(inboxOnly.body.details).toEqual([
      { field: "channel.webhook_subscriptions", message: expect.stringContaining("allowed: conversation_created") },
    ]);
    expect(inboxOnly.body.details[0].message).not.toMatch(/allowed:.*contact_updated/);
    expectError(
      await as(w.admin).patch(path, { channel: { webhook_subscriptions: [] } }),
      422,
      /must list at least one event/,
    );
    expectError(
      await as(w.admin).patch(path, { channel: { webhook_subscriptions: "bogus" } }),
      422,
      /unknown event: bogus/,
    );
    expectError(
      await as(w.admin).patch(path, { channel: { webhook_include_private: "sometimes" } }),
      422,
      /channel\.webhook_include_private/,
    );
    const create = await as(w.admin).post(`${w.base}/inboxes`, {
      name: "Bad",
      channel: { type: "api", webhook_subscriptions: ["contact_updated"] },
    });
    expectError(create, 422, /unknown event: contact_updated/);
    expect(await inboxCount(w.account.id)).toBe(2);
    expect(await inboxRow(w.inbox.id)).toMatchObject({ webhook_subscriptions: null, webhook_include_private: 0 });
  });

  it("answers malformed JSON with 400, unknown ids with 404, non-numeric ids with 422", async () => {
    const w = await createWorld();
    const raw = { token: w.admin.token, raw: "{nope", headers: { "content-type": "application/json" } };
    expectError(
      await api("POST", `${w.base}/inboxes`, undefined, raw),
      400,
      /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/,
    );
    expectError(await api("PATCH", `${w.base}/inboxes/${w.inbox.id}`, undefined, raw), 400);
    expectError(await as(w.admin).get(`${w.base}/inboxes/999999`), 404, "Inbox not found");
    expectError(await as(w.admin).patch(`${w.base}/inboxes/999999`, { name: "X" }), 404, "Inbox not found");
    expectError(await as(w.admin).delete(`${w.base}/inboxes/999999`), 404, "Inbox not found");
    expectError(await as(w.admin).post(`${w.base}/inboxes/999999/reset_secret`), 404, "Inbox not found");
    expectError(await as(w.admin).get(`${w.base}/inboxes/abc`), 422);
  });
});

describe("inboxes: security", () => {
  it("requires a valid token", async () => {
    const w = await createWorld();
    expectError(await api("GET", `${w.base}/inboxes`), 401, "Invalid Access Token");
    expectError(await api("POST", `${w.base}/inboxes`, createBody, { token: "wrong" }), 401, "Invalid Access Token");
  });

  it("lets only administrators create, update, delete and reset secrets", async () => {
    const w = await createWorld();
    expectError(
      await as(w.agent).post(`${w.base}/inboxes`, createBody),
      403,
      "You are not authorized to do this action",
    );
    expectError(await as(w.agent).patch(`${w.base}/inboxes/${w.inbox.id}`, { name: "Mine" }), 403);
    expectError(await as(w.agent).put(`${w.base}/inboxes/${w.inbox.id}`, { name: "Mine" }), 403);
    expectError(await as(w.agent).delete(`${w.base}/inboxes/${w.inbox.id}`), 403);
    expectError(await as(w.agent).post(`${w.base}/inboxes/${w.inbox.id}/reset_secret`), 403);
    expect(await inboxCount(w.account.id)).toBe(2);
    expect(await inboxRow(w.inbox.id)).toMatchObject({ name: "API inbox", secret: w.inbox.secret });
  });

  it("treats another account's inboxes, and inboxes an agent is not in, exactly like missing ones", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const missing = await as(a.admin).get(`${a.base}/inboxes/999999`);
    const foreign = await as(a.admin).get(`${a.base}/inboxes/${b.inbox.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    const hidden = await as(a.agent).get(`${a.base}/inboxes/${a.otherInbox.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(missing.body);
    expectError(await as(a.admin).patch(`${a.base}/inboxes/${b.inbox.id}`, { name: "Hacked" }), 404, "Inbox not found");
    expectError(await as(a.admin).post(`${a.base}/inboxes/${b.inbox.id}/reset_secret`), 404, "Inbox not found");
    expectError(await as(a.admin).delete(`${a.base}/inboxes/${b.inbox.id}`), 404, "Inbox not found");
    expectError(await as(a.admin).get(`${b.base}/inboxes`), 404, "Account not found");
    expect(await inboxRow(b.inbox.id)).toMatchObject({ name: "API inbox", secret: b.inbox.secret });
    const list = await as(a.admin).get(`${a.base}/inboxes`);
    expect(list.body.payload.map((i: any) => i.id)).not.toContain(b.inbox.id);
  });
});
