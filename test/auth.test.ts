import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "./helpers/api";
import { as, createConversation, createWorld, expectError, platform, testDb, unique } from "./helpers/factories";
import { createUser } from "../src/services/users";
import { SIGN_IN_LIMITS } from "../src/services/sessions";
import { cookieOf, onCookie } from "./helpers/sessions";

const PASSWORD = "Secret-password-1";

/** A user of a fresh world (an administrator with a password) and a client address of its own. */
async function signInWorld() {
  const w = await createWorld();
  return { w, ip: `10.7.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` };
}

const signIn = (email: string, password: string, ip: string, headers: Record<string, string> = {}) =>
  api(
    "POST",
    "/auth/sign_in",
    { email, password },
    { headers: { "cf-connecting-ip": ip, "user-agent": "vitest-browser/1.0", ...headers } },
  );

describe("POST /auth/sign_in", { timeout: 20_000 }, () => {
  it("answers Chatwoot's devise shape with a session token, and sets an HttpOnly, SameSite=Lax cookie", async () => {
    const { w, ip } = await signInWorld();
    const res = await signIn(w.admin.email.toUpperCase(), PASSWORD, ip);
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({
      id: w.admin.id,
      email: w.admin.email,
      name: "Admin",
      account_id: w.account.id,
      role: "administrator",
      access_token: expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{24}$/),
      pubsub_token: expect.any(String),
      csrf_token: expect.stringMatching(/^[0-9a-f]{64}$/),
      accounts: [expect.objectContaining({ id: w.account.id, role: "administrator" })],
    });
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/konversio_session=[1-9A-HJ-NP-Za-km-z]{32}/);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).toMatch(/Path=\//);
    expect(set).toMatch(/Max-Age=1209600/);
    // Local http: not Secure, or the browser would drop it; over https it is.
    expect(set).not.toMatch(/Secure/i);
    const https = await api(
      "POST",
      "https://konversio.test/auth/sign_in",
      { email: w.admin.email, password: PASSWORD },
      { headers: { "cf-connecting-ip": ip } },
    );
    expect(https.headers.get("set-cookie")).toMatch(/;\s*Secure/i);
    // The cookie itself never appears in a body, and the sign-in token is a working API token.
    expect(res.text).not.toContain(cookieOf(res).split("=")[1]);
    const me = await as({ token: res.body.data.access_token }).get("/api/v1/profile");
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(w.admin.id);
    // Sessions are stored hashed, with expiry, last use and user agent.
    const row = await env.DB.prepare("select * from sessions where user_id = ? order by id limit 1")
      .bind(w.admin.id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      user_agent: "vitest-browser/1.0",
      token_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      api_token_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(row)).not.toContain(res.body.data.access_token);
    expect(Number(row!.expires_at) - Number(row!.created_at)).toBe(14 * 24 * 3600_000);
  });

  it("answers a wrong e-mail and a wrong password alike: 401 in the error envelope", async () => {
    const { w, ip } = await signInWorld();
    const wrongPassword = await signIn(w.admin.email, "not-the-password", ip);
    const unknownEmail = await signIn(`${unique("nobody")}@example.test`, PASSWORD, ip);
    for (const res of [wrongPassword, unknownEmail]) {
      expectError(res, 401, "Invalid login credentials. Please try again.");
      expect(res.body.code).toBe("INVALID_CREDENTIALS");
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect(wrongPassword.text).toBe(unknownEmail.text);
    // A user without a password (API only) cannot sign in either.
    const { user } = await createUser(testDb(), { name: "API only", email: `${unique("api")}@example.test` });
    expectError(await signIn(user.email, "", ip), 422);
    expectError(await signIn(user.email, "anything-at-all", ip), 401);
    expectError(await api("POST", "/auth/sign_in", "{oops", { headers: { "content-type": "application/json" } }), 400);
  });

  it(
    "slows and then refuses repeated failures for one e-mail " +
      "with 429 + Retry-After, and lets the user back in later",
    async () => {
      const { w, ip } = await signInWorld();
      const { threshold } = SIGN_IN_LIMITS.email;
      for (let i = 1; i < threshold; i++) expectError(await signIn(w.admin.email, `wrong-${i}`, `10.8.0.${i}`), 401);
      expectError(await signIn(w.admin.email, "wrong-last", "10.8.0.99"), 401);
      // Blocked now, even with the right password and from another address.
      const blocked = await signIn(w.admin.email, PASSWORD, ip);
      expectError(blocked, 429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(29);
      expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(30);
      // Another user is not affected.
      expect((await signIn(w.agent.email, PASSWORD, ip)).status).toBe(200);
      // Each failure while blocked is refused before the password is checked; after the block the user gets in,
      // and the count is cleared.
      await env.DB.prepare("update sign_in_attempts set blocked_until = ? where key = ?")
        .bind(Date.now() - 1, `email:${w.admin.email}`)
        .run();
      expect((await signIn(w.admin.email, PASSWORD, ip)).status).toBe(200);
      expect(
        await env.DB.prepare("select * from sign_in_attempts where key = ?").bind(`email:${w.admin.email}`).first(),
      ).toBeNull();
    },
  );

  it(
    "doubles the block with each further failure, up to a " + "ceiling, and refuses one address trying many e-mails",
    async () => {
      const { w } = await signInWorld();
      const key = `email:${w.admin.email}`;
      await env.DB.prepare(
        "insert into sign_in_attempts (key, failures, window_started_at, blocked_until) values (?, 12, ?, null)",
      )
        .bind(key, Date.now())
        .run();
      expectError(await signIn(w.admin.email, "wrong", "10.8.1.1"), 401);
      const row = await env.DB.prepare("select * from sign_in_attempts where key = ?")
        .bind(key)
        .first<{ failures: number; blocked_until: number }>();
      expect(row!.failures).toBe(13);
      expect(row!.blocked_until - Date.now()).toBeGreaterThan(SIGN_IN_LIMITS.maxBlockMs - 5_000);
      expect(row!.blocked_until - Date.now()).toBeLessThanOrEqual(SIGN_IN_LIMITS.maxBlockMs);
      // An old window starts over.
      await env.DB.prepare("update sign_in_attempts set window_started_at = ?, blocked_until = null where key = ?")
        .bind(Date.now() - SIGN_IN_LIMITS.windowMs - 1, key)
        .run();
      expectError(await signIn(w.admin.email, "wrong", "10.8.1.2"), 401);
      expect(
        (await env.DB.prepare("select failures from sign_in_attempts where key = ?")
          .bind(key)
          .first<{ failures: number }>())!.failures,
      ).toBe(1);

      const ip = "10.8.2.7";
      for (let i = 0; i < SIGN_IN_LIMITS.ip.threshold; i++)
        expectError(await signIn(`${unique("guess")}@example.test`, "x", ip), 401);
      expectError(await signIn(w.agent.email, PASSWORD, ip), 429);
      expect((await signIn(w.agent.email, PASSWORD, "10.8.2.8")).status).toBe(200);
    },
  );
});

describe("the session cookie", { timeout: 20_000 }, () => {
  it("works wherever an API token does, with the same roles and tenancy", async () => {
    const { w, ip } = await signInWorld();
    const agentSession = await signIn(w.agent.email, PASSWORD, ip);
    const cookie = cookieOf(agentSession);
    const { conversation } = await createConversation(w);
    const read = await api("GET", `${w.base}/conversations/${conversation.id}`, undefined, onCookie(cookie));
    expect(read.status, read.text).toBe(200);
    // An agent on a cookie is still an agent: admin routes are 403, another account's are 404.
    expectError(
      await api("POST", `${w.base}/inboxes`, { name: "x" }, onCookie(cookie, agentSession.body.data.csrf_token)),
      403,
    );
    const other = await createWorld("Other");
    expectError(await api("GET", `${other.base}/conversations`, undefined, onCookie(cookie)), 404);
    // The profile on a cookie shows no API token: the page never holds one.
    const profile = await api("GET", "/api/v1/profile", undefined, onCookie(cookie));
    expect(profile.body.access_token).toBe("");
    const validated = await api("GET", "/auth/validate_token", undefined, onCookie(cookie));
    expect(validated.body).toMatchObject({
      success: true,
      data: { id: w.agent.id, csrf_token: agentSession.body.data.csrf_token },
    });
    expectError(
      await api("GET", "/auth/validate_token", undefined, { headers: { cookie: "konversio_session=forged" } }),
      401,
    );
    expectError(await api("GET", "/auth/validate_token"), 401);
  });

  it("records the session's last use at most once a minute", async () => {
    const { w, ip } = await signInWorld();
    const session = await signIn(w.agent.email, PASSWORD, ip);
    const lastUsed = async () =>
      (await env.DB.prepare("select last_used_at as t from sessions where user_id = ?")
        .bind(w.agent.id)
        .first<{ t: number }>())!.t;
    const fresh = await lastUsed();
    expect((await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(session)))).status).toBe(200);
    expect(await lastUsed()).toBe(fresh);
    const old = Date.now() - 5 * 60_000;
    await env.DB.prepare("update sessions set last_used_at = ? where user_id = ?").bind(old, w.agent.id).run();
    expect((await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(session)))).status).toBe(200);
    await vi.waitFor(async () => expect(await lastUsed()).toBeGreaterThan(old + 60_000));
  });

  it("refuses a cookie write without the session's CSRF token or from another origin", async () => {
    const { w, ip } = await signInWorld();
    const session = await signIn(w.admin.email, PASSWORD, ip);
    const cookie = cookieOf(session);
    const csrf = session.body.data.csrf_token as string;
    const { path } = await createConversation(w);
    const count = async () =>
      (await env.DB.prepare("select count(*) as n from messages where content = 'csrf'").first<{ n: number }>())!.n;
    const before = await count();
    expectError(
      await api("POST", `${path}/messages`, { content: "csrf" }, onCookie(cookie)),
      403,
      "Missing or invalid X-CSRF-Token",
    );
    expectError(await api("POST", `${path}/messages`, { content: "csrf" }, onCookie(cookie, "0".repeat(64))), 403);
    // A cross-site page posting with the victim's cookie (and even a guessed token) is refused by its Origin.
    expectError(
      await api(
        "POST",
        `${path}/messages`,
        { content: "csrf" },
        onCookie(cookie, csrf, { origin: "https://evil.example" }),
      ),
      403,
      "Cross-origin request refused",
    );
    // Another session's token does not fit this cookie.
    const second = await signIn(w.admin.email, PASSWORD, ip);
    expectError(
      await api("POST", `${path}/messages`, { content: "csrf" }, onCookie(cookie, second.body.data.csrf_token)),
      403,
    );
    expect(await count()).toBe(before);
    const ok = await api("POST", `${path}/messages`, { content: "csrf" }, onCookie(cookie, csrf));
    expect(ok.status, ok.text).toBe(200);
    expect(await count()).toBe(before + 1);
    // An API token needs no CSRF token: it is never sent by a browser on its own.
    expect(
      (await as({ token: session.body.data.access_token }).post(`${path}/messages`, { content: "csrf" })).status,
    ).toBe(200);
  });

  it("ends at sign-out (cookie and session token alike), at expiry, and never for another session", async () => {
    const { w, ip } = await signInWorld();
    const a = await signIn(w.admin.email, PASSWORD, ip);
    const b = await signIn(w.admin.email, PASSWORD, ip);
    const out = await api("DELETE", "/auth/sign_out", undefined, onCookie(cookieOf(a), a.body.data.csrf_token));
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ success: true });
    expect(out.headers.get("set-cookie")).toMatch(/konversio_session=;.*Max-Age=0/i);
    expectError(await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(a))), 401);
    expectError(await as({ token: a.body.data.access_token }).get("/api/v1/profile"), 401);
    expect((await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(b)))).status).toBe(200);
    // Signing out with the session's API token ends that session too.
    expect((await as({ token: b.body.data.access_token }).delete("/auth/sign_out")).status).toBe(200);
    expectError(await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(b))), 401);
    // Expiry.
    const c = await signIn(w.admin.email, PASSWORD, ip);
    await env.DB.prepare("update sessions set expires_at = ? where user_id = ?")
      .bind(Date.now() - 1, w.admin.id)
      .run();
    expectError(await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(c))), 401);
    expectError(await as({ token: c.body.data.access_token }).get("/api/v1/profile"), 401);
    // The personal API token is no session: it keeps working.
    expect((await as(w.admin).get("/api/v1/profile")).status).toBe(200);
  });

  it("ends every other session when the password changes, in the profile or by the operator", async () => {
    const { w, ip } = await signInWorld();
    const mine = await signIn(w.agent.email, PASSWORD, ip);
    const other = await signIn(w.agent.email, PASSWORD, ip);
    const changed = await api(
      "PATCH",
      "/api/v1/profile",
      { current_password: PASSWORD, password: "New-password-22", password_confirmation: "New-password-22" },
      onCookie(cookieOf(mine), mine.body.data.csrf_token),
    );
    expect(changed.status, changed.text).toBe(200);
    expect((await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(mine)))).status).toBe(200);
    expectError(await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(other))), 401);
    expectError(await as({ token: other.body.data.access_token }).get("/api/v1/profile"), 401);
    expectError(await signIn(w.agent.email, PASSWORD, ip), 401);
    expect((await signIn(w.agent.email, "New-password-22", ip)).status).toBe(200);
    expect(
      (await platform().patch(`/platform/api/v1/users/${w.agent.id}`, { password: "Operator-set-33" })).status,
    ).toBe(200);
    expectError(await api("GET", "/auth/validate_token", undefined, onCookie(cookieOf(mine))), 401);
  });
});

describe("set-password links", { timeout: 20_000 }, () => {
  it("lets an agent an administrator added set a password once, then sign in", async () => {
    const { w, ip } = await signInWorld();
    const email = `${unique("invited")}@example.test`;
    const created = await as(w.admin).post(`${w.base}/agents`, { name: "Invited", email });
    expect(created.status).toBe(200);
    const url = new URL(created.body.set_password_url);
    expect(url.pathname).toBe("/app/set-password");
    const token = url.searchParams.get("token")!;
    expectError(await signIn(email, "Chosen-password-1", ip), 401);
    expectError(await api("POST", "/auth/password", { token, password: "short", password_confirmation: "short" }), 422);
    expectError(
      await api("POST", "/auth/password", { token, password: "Chosen-password-1", password_confirmation: "other" }),
      422,
    );
    const set = await api("POST", "/auth/password", {
      token,
      password: "Chosen-password-1",
      password_confirmation: "Chosen-password-1",
    });
    expect(set.status, set.text).toBe(200);
    expect((await signIn(email, "Chosen-password-1", ip)).status).toBe(200);
    // Used up.
    const again = await api("POST", "/auth/password", {
      token,
      password: "Another-pass-22",
      password_confirmation: "Another-pass-22",
    });
    expectError(again, 422);
    expect(again.body.details).toEqual([{ field: "token", message: "is invalid or has expired" }]);
    expectError(
      await api("POST", "/auth/password", {
        token: "made-up",
        password: "Another-pass-22",
        password_confirmation: "Another-pass-22",
      }),
      422,
    );
    // The link is stored hashed, and an agent who already has a password gets none.
    expect(
      await env.DB.prepare("select count(*) as n from password_tokens where token_hash = ?")
        .bind(token)
        .first<{ n: number }>(),
    ).toEqual({ n: 0 });
    const other = await createWorld("Other");
    const rejoined = await as(other.admin).post(`${other.base}/agents`, { name: "Invited", email });
    expect(rejoined.status).toBe(200);
    expect(rejoined.body.set_password_url).toBeUndefined();
  });

  it("expires", async () => {
    const { w } = await signInWorld();
    const created = await as(w.admin).post(`${w.base}/agents`, {
      name: "Late",
      email: `${unique("late")}@example.test`,
    });
    const token = new URL(created.body.set_password_url).searchParams.get("token")!;
    await env.DB.prepare("update password_tokens set expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    expectError(
      await api("POST", "/auth/password", {
        token,
        password: "Chosen-password-1",
        password_confirmation: "Chosen-password-1",
      }),
      422,
    );
  });
});

describe("POST …/conversations/{id}/update_last_seen", { timeout: 20_000 }, () => {
  it("marks the conversation read: unread_count drops to 0 and counts again from the next message", async () => {
    const w = await createWorld();
    const { conversation, path, sourceId } = await createConversation(w);
    const say = (content: string) =>
      api(
        "POST",
        `/public/api/v1/inboxes/${w.inbox.identifier}/contacts/${sourceId}/conversations/${conversation.id}/messages`,
        { content },
      );
    await say("one");
    await say("two");
    expect((await as(w.agent).get(path)).body.unread_count).toBe(2);
    const seen = await as(w.agent).post(`${path}/update_last_seen`);
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({ agent_last_seen_at: expect.any(Number), unread_count: 0 });
    expect((await as(w.agent).get(path)).body).toMatchObject({
      unread_count: 0,
      agent_last_seen_at: seen.body.agent_last_seen_at,
    });
    await new Promise((r) => setTimeout(r, 5));
    await say("three");
    expect((await as(w.agent).get(path)).body.unread_count).toBe(1);
    expectError(await as(w.outsider).post(`${path}/update_last_seen`), 404);
  });
});

describe("the cron prunes what can no longer be used", { timeout: 20_000 }, () => {
  it("deletes expired sessions, expired set-password links and stale failure counts, and keeps the rest", async () => {
    const { handleScheduled } = await import("../src/cron");
    const { w, ip } = await signInWorld();
    const live = await signIn(w.admin.email, PASSWORD, ip);
    expect((await signIn(w.agent.email, PASSWORD, ip)).status).toBe(200);
    await env.DB.prepare("update sessions set expires_at = ? where user_id = ?")
      .bind(Date.now() - 1, w.agent.id)
      .run();
    const now = Date.now();
    const stale = unique("email:stale");
    const blocked = unique("email:blocked");
    const recent = unique("email:recent");
    await env.DB.batch([
      env.DB.prepare("insert into sign_in_attempts values (?, 3, ?, null)").bind(
        stale,
        now - SIGN_IN_LIMITS.windowMs - 1000,
      ),
      env.DB.prepare("insert into sign_in_attempts values (?, 9, ?, ?)").bind(
        blocked,
        now - SIGN_IN_LIMITS.windowMs - 1000,
        now + 60_000,
      ),
      env.DB.prepare("insert into sign_in_attempts values (?, 1, ?, null)").bind(recent, now),
    ]);
    const invited = await as(w.admin).post(`${w.base}/agents`, {
      name: "Late",
      email: `${unique("late")}@example.test`,
    });
    const kept = await as(w.admin).post(`${w.base}/agents`, { name: "Soon", email: `${unique("soon")}@example.test` });
    const hashOf = async (url: string) => {
      const { sha256Hex } = await import("../src/lib/crypto");
      return sha256Hex(new URL(url).searchParams.get("token")!);
    };
    await env.DB.prepare("update password_tokens set expires_at = ? where token_hash = ?")
      .bind(now - 1, await hashOf(invited.body.set_password_url))
      .run();

    await handleScheduled(env as never);

    const count = async (sql: string, ...params: unknown[]) =>
      (await env.DB.prepare(sql)
        .bind(...params)
        .first<{ n: number }>())!.n;
    expect(await count("select count(*) as n from sessions where user_id = ?", w.agent.id)).toBe(0);
    expect(await count("select count(*) as n from sessions where user_id = ?", w.admin.id)).toBe(1);
    expect((await onCookieGet(cookieOf(live))).status).toBe(200);
    expect(
      await count("select count(*) as n from sign_in_attempts where key in (?, ?, ?)", stale, blocked, recent),
    ).toBe(2);
    expect(await count("select count(*) as n from sign_in_attempts where key = ?", stale)).toBe(0);
    expect(
      await count(
        "select count(*) as n from password_tokens where token_hash = ?",
        await hashOf(invited.body.set_password_url),
      ),
    ).toBe(0);
    expect(
      await count(
        "select count(*) as n from password_tokens where token_hash = ?",
        await hashOf(kept.body.set_password_url),
      ),
    ).toBe(1);
  });
});

const onCookieGet = (cookie: string) => api("GET", "/auth/validate_token", undefined, onCookie(cookie));
