import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { EVENT_NAMES } from "../src/events/registry";
import { api } from "./helpers/api";
import { as, createWorld, expectError, type World } from "./helpers/factories";

const webhookRow = (id: number) =>
  env.DB.prepare("select * from webhooks where id = ?").bind(id).first<Record<string, unknown>>();
const webhookRows = (accountId: number) =>
  env.DB.prepare("select * from webhooks where account_id = ? order by id")
    .bind(accountId)
    .all()
    .then((r) => r.results);

const DAY_MS = 24 * 60 * 60 * 1000;

async function newWebhook(w: World, body: Record<string, unknown> = {}) {
  const res = await as(w.admin).post(`${w.base}/webhooks`, {
    url: `https://hooks.example.com/${crypto.randomUUID()}`,
    subscriptions: ["message_created", "conversation_created"],
    ...body,
  });
  if (res.status !== 200) throw new Error(`webhook create failed: ${res.text}`);
  return res.body.payload.webhook;
}

describe("webhooks: happy path", () => {
  it("creates a webhook and answers {payload:{webhook}} with its signing secret", async () => {
    const w = await createWorld();
    const before = Math.floor(Date.now() / 1000);
    const res = await as(w.admin).post(`${w.base}/webhooks`, {
      url: "https://hooks.example.com/konversio",
      name: "CRM sync",
      subscriptions: ["message_created", "conversation_status_changed"],
    });
    expect(res.status).toBe(200);
    const hook = res.body.payload.webhook;
    expect(hook).toEqual({
      id: expect.any(Number),
      name: "CRM sync",
      url: "https://hooks.example.com/konversio",
      account_id: w.account.id,
      subscriptions: ["message_created", "conversation_status_changed"],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
      inbox: null,
      webhook_disabled: false,
      failing_since: null,
      created_at: expect.any(Number),
    });
    expect(hook.created_at).toBeGreaterThanOrEqual(before);
    expect(await webhookRow(hook.id)).toMatchObject({
      account_id: w.account.id,
      inbox_id: null,
      url: "https://hooks.example.com/konversio",
      subscriptions: '["message_created","conversation_status_changed"]',
      secret: hook.secret,
      previous_secret: null,
      disabled: 0,
    });
  });

  it("accepts a body wrapped in `webhook`, an inbox, and subscriptions as a JSON string or comma list", async () => {
    const w = await createWorld();
    const wrapped = await as(w.admin).post(`${w.base}/webhooks`, {
      webhook: {
        url: "HTTPS://Hooks.Example.com",
        subscriptions: '["message_created","message_updated","message_created"]',
        inbox_id: String(w.inbox.id),
      },
    });
    expect(wrapped.status).toBe(200);
    expect(wrapped.body.payload.webhook).toMatchObject({
      name: null,
      url: "https://hooks.example.com/",
      subscriptions: ["message_created", "message_updated"],
      inbox: { id: w.inbox.id, name: "API inbox" },
    });
    const form = new FormData();
    form.set("url", "https://hooks.example.com/form");
    form.set("subscriptions", "contact_created, contact_updated");
    const multipart = await api("POST", `${w.base}/webhooks`, form, { token: w.admin.token });
    expect(multipart.status).toBe(200);
    expect(multipart.body.payload.webhook.subscriptions).toEqual(["contact_created", "contact_updated"]);
  });

  it("lists the account's webhooks with their inbox", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const first = await newWebhook(w);
    const second = await newWebhook(w, { inbox_id: w.otherInbox.id, name: "Back office only" });
    await newWebhook(other);
    const res = await as(w.admin).get(`${w.base}/webhooks`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ payload: { webhooks: [first, second] } });
    expect(res.body.payload.webhooks[1].inbox).toEqual({ id: w.otherInbox.id, name: "Back office" });
    expect((await as(other.admin).get(`${other.base}/webhooks`)).body.payload.webhooks).toHaveLength(1);
  });

  it(
    "updates the fields given with PATCH and PUT, wrapped " + "or flat, leaving the rest and the secret alone",
    async () => {
      const w = await createWorld();
      const hook = await newWebhook(w, { name: "Before", inbox_id: w.inbox.id });
      const patched = await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, {
        name: "After",
        subscriptions: ["inbox_created"],
      });
      expect(patched.status).toBe(200);
      expect(patched.body.payload.webhook).toEqual({ ...hook, name: "After", subscriptions: ["inbox_created"] });
      const put = await as(w.admin).put(`${w.base}/webhooks/${hook.id}`, {
        webhook: { url: "https://other.example.com/x", inbox_id: null },
      });
      expect(put.status).toBe(200);
      expect(put.body.payload.webhook).toEqual({
        ...hook,
        name: "After",
        subscriptions: ["inbox_created"],
        url: "https://other.example.com/x",
        inbox: null,
      });
      const empty = await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, {});
      expect(empty.body).toEqual(put.body);
      expect(await webhookRow(hook.id)).toMatchObject({
        name: "After",
        url: "https://other.example.com/x",
        inbox_id: null,
        secret: hook.secret,
      });
    },
  );

  it("re-enables a disabled webhook on `webhook_disabled: false` or a new url, and only then", async () => {
    const w = await createWorld();
    const hook = await newWebhook(w);
    const failingSince = Date.now() - 5 * DAY_MS;
    const disable = () =>
      env.DB.prepare("update webhooks set disabled = 1, failing_since = ? where id = ?")
        .bind(failingSince, hook.id)
        .run();
    await disable();
    const shown = await as(w.admin).get(`${w.base}/webhooks`);
    expect(shown.body.payload.webhooks[0]).toMatchObject({
      webhook_disabled: true,
      failing_since: Math.floor(failingSince / 1000),
    });

    const renamed = await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, { name: "Still off" });
    expect(renamed.body.payload.webhook).toMatchObject({
      webhook_disabled: true,
      failing_since: Math.floor(failingSince / 1000),
    });
    const enabled = await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, { webhook_disabled: false });
    expect(enabled.body.payload.webhook).toMatchObject({ webhook_disabled: false, failing_since: null });
    expect(await webhookRow(hook.id)).toMatchObject({ disabled: 0, failing_since: null });

    await disable();
    const moved = await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, { url: "https://fixed.example.com/hook" });
    expect(moved.body.payload.webhook).toMatchObject({
      webhook_disabled: false,
      failing_since: null,
      url: "https://fixed.example.com/hook",
    });

    const paused = await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, { webhook_disabled: "true" });
    expect(paused.body.payload.webhook).toMatchObject({ webhook_disabled: true, failing_since: null });
  });

  it("resets the secret, keeping the previous one signing for 24 hours", async () => {
    const w = await createWorld();
    const hook = await newWebhook(w);
    const before = Date.now();
    const res = await as(w.admin).post(`${w.base}/webhooks/${hook.id}/reset_secret`);
    expect(res.status).toBe(200);
    const fresh = res.body.payload.webhook;
    expect(fresh.secret).toMatch(/^whsec_/);
    expect(fresh.secret).not.toBe(hook.secret);
    expect(fresh).toEqual({ ...hook, secret: fresh.secret });
    const row = await webhookRow(hook.id);
    expect(row).toMatchObject({ secret: fresh.secret, previous_secret: hook.secret });
    expect(row!.previous_secret_expires_at as number).toBeGreaterThanOrEqual(before + DAY_MS);
    expect(row!.previous_secret_expires_at as number).toBeLessThanOrEqual(Date.now() + DAY_MS);

    const again = await as(w.admin).post(`${w.base}/webhooks/${hook.id}/reset_secret`);
    expect(await webhookRow(hook.id)).toMatchObject({
      secret: again.body.payload.webhook.secret,
      previous_secret: fresh.secret,
    });
  });

  it("lists the events a webhook can subscribe to", async () => {
    const w = await createWorld();
    const res = await as(w.admin).get(`${w.base}/webhooks/events`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ payload: [...EVENT_NAMES] });
    expect(res.body.payload).toContain("conversation_typing_on");
  });

  it("deletes a webhook with its delivery log", async () => {
    const w = await createWorld();
    const hook = await newWebhook(w);
    const keep = await newWebhook(w);
    const res = await as(w.admin).delete(`${w.base}/webhooks/${hook.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "Webhook deleted" });
    expect(await webhookRow(hook.id)).toBeNull();
    expect((await webhookRows(w.account.id)).map((r) => r.id)).toEqual([keep.id]);
    expectError(await as(w.admin).delete(`${w.base}/webhooks/${hook.id}`), 404, "Webhook not found");
  });
});

describe("webhooks: errors", () => {
  it("validates the url: http(s), parseable, no credentials, no private address", async () => {
    const w = await createWorld();
    const cases: [string, string][] = [
      ["ftp://files.example.com/", "must be an http(s) URL"],
      ["javascript:alert(1)", "must be an http(s) URL"],
      ["http://", "must be a valid URL"],
      ["https://user:pass@hooks.example.com/", "must not contain a user name or password"],
      [`https://hooks.example.com/${"x".repeat(2048)}`, "must be at most 2048 characters"],
      ["http://127.0.0.1:8787/hook", "must not point at a private, loopback or link-local address"],
      ["http://localhost:3000/", "must not point at a private, loopback or link-local address"],
      ["http://2130706433/", "must not point at a private, loopback or link-local address"],
      ["http://0x7f000001/", "must not point at a private, loopback or link-local address"],
      ["http://[::ffff:127.0.0.1]/", "must not point at a private, loopback or link-local address"],
      ["http://169.254.169.254/latest/meta-data/", "must not point at a private, loopback or link-local address"],
      ["http://10.0.0.8/", "must not point at a private, loopback or link-local address"],
    ];
    for (const [url, message] of cases) {
      const res = await as(w.admin).post(`${w.base}/webhooks`, { url, subscriptions: ["message_created"] });
      expectError(res, 422, `Validation failed: url: ${message}`);
      expect(res.body.details).toEqual([{ field: "url", message }]);
    }
    const missing = await as(w.admin).post(`${w.base}/webhooks`, { subscriptions: ["message_created"] });
    expectError(missing, 422);
    expect(missing.body.details.map((d: any) => d.field)).toEqual(["url"]);

    const hook = await newWebhook(w);
    const privateUpdate = await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, {
      url: "http://192.168.1.1/",
      name: "x",
    });
    expectError(privateUpdate, 422, /url: must not point at a private/);
    expect(await webhookRows(w.account.id)).toEqual([expect.objectContaining({ url: hook.url, name: null })]);
  });

  it("keeps urls unique per account (after normalisation), not across accounts", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const hook = await newWebhook(w, { url: "https://hooks.example.com/" });
    const dup = await as(w.admin).post(`${w.base}/webhooks`, {
      url: "HTTPS://HOOKS.example.com",
      subscriptions: ["message_created"],
    });
    expectError(dup, 422, "Validation failed: url: has already been taken");
    expect(dup.body.details).toEqual([{ field: "url", message: "has already been taken" }]);
    await newWebhook(other, { url: "https://hooks.example.com/" });

    const second = await newWebhook(w, { url: "https://second.example.com/" });
    expectError(
      await as(w.admin).patch(`${w.base}/webhooks/${second.id}`, { url: "https://hooks.example.com", name: "Clash" }),
      422,
      /already been taken/,
    );
    expect(await webhookRow(second.id)).toMatchObject({ url: "https://second.example.com/", name: null });
    expect((await webhookRows(w.account.id)).map((r) => r.id)).toEqual([hook.id, second.id]);
  });

  it("validates subscriptions: a non-empty list of known events, naming the unknown ones", async () => {
    const w = await createWorld();
    const url = "https://hooks.example.com/subs";
    const cases: [unknown, RegExp][] = [
      [undefined, /subscriptions/],
      [[], /subscriptions: must list at least one event/],
      ["", /subscriptions: must list at least one event/],
      [
        ["message_created", "message_deleted", "webwidget_triggered"],
        /subscriptions: unknown events: message_deleted, webwidget_triggered \(allowed: conversation_created/,
      ],
      ["message_created,bogus", /unknown event: bogus/],
      [42, /subscriptions/],
      [[{ name: "message_created" }], /subscriptions/],
    ];
    for (const [subscriptions, message] of cases) {
      const res = await as(w.admin).post(`${w.base}/webhooks`, { url, subscriptions });
      expectError(res, 422, message);
      expect(res.body.details[0].field).toMatch(/^subscriptions/);
    }
    const hook = await newWebhook(w);
    expectError(
      await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, { subscriptions: [] }),
      422,
      /at least one event/,
    );
    expectError(
      await as(w.admin).patch(`${w.base}/webhooks/${hook.id}`, { subscriptions: ["nope"], name: "x" }),
      422,
      /unknown event: nope/,
    );
    expect(await webhookRows(w.account.id)).toEqual([
      expect.objectContaining({ id: hook.id, name: null, subscriptions: JSON.stringify(hook.subscriptions) }),
    ]);
  });

  it("answers an unknown inbox_id with 404 and creates nothing", async () => {
    const w = await createWorld();
    expectError(
      await as(w.admin).post(`${w.base}/webhooks`, {
        url: "https://h.example.com/",
        subscriptions: ["message_created"],
        inbox_id: 999999,
      }),
      404,
      "Inbox not found",
    );
    expectError(
      await as(w.admin).post(`${w.base}/webhooks`, {
        url: "https://h.example.com/",
        subscriptions: ["message_created"],
        inbox_id: "abc",
      }),
      422,
    );
    expect(await webhookRows(w.account.id)).toEqual([]);
  });

  it("answers malformed JSON with 400, unknown ids with 404, non-numeric ids with 422", async () => {
    const w = await createWorld();
    const raw = { token: w.admin.token, raw: "{nope", headers: { "content-type": "application/json" } };
    expectError(
      await api("POST", `${w.base}/webhooks`, undefined, raw),
      400,
      /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/,
    );
    const hook = await newWebhook(w);
    expectError(await api("PATCH", `${w.base}/webhooks/${hook.id}`, undefined, raw), 400);
    expectError(await as(w.admin).patch(`${w.base}/webhooks/999999`, { name: "X" }), 404, "Webhook not found");
    expectError(await as(w.admin).put(`${w.base}/webhooks/999999`, {}), 404, "Webhook not found");
    expectError(await as(w.admin).delete(`${w.base}/webhooks/999999`), 404, "Webhook not found");
    expectError(await as(w.admin).post(`${w.base}/webhooks/999999/reset_secret`), 404, "Webhook not found");
    expectError(await as(w.admin).patch(`${w.base}/webhooks/abc`, { name: "X" }), 422);
    expect(await webhookRow(hook.id)).toMatchObject({ secret: hook.secret, name: null });
  });
});

describe("webhooks: security", () => {
  it("requires a valid token on every route", async () => {
    const w = await createWorld();
    const hook = await newWebhook(w);
    const routes: [string, string][] = [
      ["GET", `${w.base}/webhooks`],
      ["GET", `${w.base}/webhooks/events`],
      ["POST", `${w.base}/webhooks`],
      ["PATCH", `${w.base}/webhooks/${hook.id}`],
      ["PUT", `${w.base}/webhooks/${hook.id}`],
      ["DELETE", `${w.base}/webhooks/${hook.id}`],
      ["POST", `${w.base}/webhooks/${hook.id}/reset_secret`],
    ];
    for (const [method, path] of routes) {
      const body = method === "GET" ? undefined : { url: "https://x.example.com/", subscriptions: ["message_created"] };
      expectError(await api(method, path, body), 401, "Invalid Access Token");
      expectError(await api(method, path, body, { token: "wrong" }), 401, "Invalid Access Token");
    }
    expect(await webhookRows(w.account.id)).toEqual([expect.objectContaining({ id: hook.id, secret: hook.secret })]);
  });

  it("is for administrators only: agents get 403 and change nothing", async () => {
    const w = await createWorld();
    const hook = await newWebhook(w);
    const agent = as(w.agent);
    const body = { url: "https://agent.example.com/", subscriptions: ["message_created"] };
    for (const res of [
      await agent.get(`${w.base}/webhooks`),
      await agent.get(`${w.base}/webhooks/events`),
      await agent.post(`${w.base}/webhooks`, body),
      await agent.patch(`${w.base}/webhooks/${hook.id}`, body),
      await agent.put(`${w.base}/webhooks/${hook.id}`, body),
      await agent.delete(`${w.base}/webhooks/${hook.id}`),
      await agent.post(`${w.base}/webhooks/${hook.id}/reset_secret`),
    ]) {
      expectError(res, 403, "You are not authorized to do this action");
      expect(res.text).not.toContain(hook.secret);
    }
    expect(await webhookRows(w.account.id)).toEqual([
      expect.objectContaining({ id: hook.id, url: hook.url, secret: hook.secret, previous_secret: null }),
    ]);
  });

  it("treats another account's webhooks and inboxes exactly like missing ones, and leaves them unchanged", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const bHook = await newWebhook(b, { inbox_id: b.inbox.id, name: "B hook" });
    const aHook = await newWebhook(a);
    const before = await webhookRows(b.account.id);
    const admin = as(a.admin);

    const missing = await admin.patch(`${a.base}/webhooks/999999`, { name: "X" });
    const foreign = await admin.patch(`${a.base}/webhooks/${bHook.id}`, {
      name: "Hacked",
      url: "https://evil.example.com/",
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expectError(
      await admin.put(`${a.base}/webhooks/${bHook.id}`, { webhook_disabled: true }),
      404,
      "Webhook not found",
    );
    expectError(await admin.delete(`${a.base}/webhooks/${bHook.id}`), 404, "Webhook not found");
    const reset = await admin.post(`${a.base}/webhooks/${bHook.id}/reset_secret`);
    expectError(reset, 404, "Webhook not found");
    expect(reset.text).not.toContain(bHook.secret);

    // B's inbox as a filter for A's webhooks.
    const body = { url: "https://a.example.com/spy", subscriptions: ["message_created"], inbox_id: b.inbox.id };
    const missingInbox = await admin.post(`${a.base}/webhooks`, { ...body, inbox_id: 999999 });
    const foreignInbox = await admin.post(`${a.base}/webhooks`, body);
    expectError(foreignInbox, 404, "Inbox not found");
    expect(foreignInbox.body).toEqual(missingInbox.body);
    expectError(
      await admin.patch(`${a.base}/webhooks/${aHook.id}`, { inbox_id: b.inbox.id, name: "spy" }),
      404,
      "Inbox not found",
    );
    expect(await webhookRows(a.account.id)).toEqual([
      expect.objectContaining({ id: aHook.id, inbox_id: null, name: null }),
    ]);

    // B's account in the path.
    expectError(await admin.get(`${b.base}/webhooks`), 404, "Account not found");
    expectError(
      await admin.post(`${b.base}/webhooks`, { url: "https://a.example.com/b", subscriptions: ["message_created"] }),
      404,
      "Account not found",
    );
    expectError(await admin.patch(`${b.base}/webhooks/${bHook.id}`, { name: "Hacked" }), 404, "Account not found");
    expectError(await admin.post(`${b.base}/webhooks/${bHook.id}/reset_secret`), 404, "Account not found");

    const list = await admin.get(`${a.base}/webhooks`);
    expect(list.body.payload.webhooks.map((h: any) => h.id)).toEqual([aHook.id]);
    expect(list.text).not.toContain(bHook.secret);
    expect(await webhookRows(b.account.id)).toEqual(before);
  });
});
