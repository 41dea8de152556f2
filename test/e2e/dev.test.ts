import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPersistDir, queryLocalD1, startDevServer, type DevServer } from "./dev-server";

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

describe("npm run dev", () => {
  const persistDir = freshPersistDir();
  let first: DevServer;
  let second: DevServer | undefined;

  beforeAll(async () => {
    first = await startDevServer({ persistDir });
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    rmSync(persistDir, { recursive: true, force: true });
  });

  it("applies the migrations, seeds the demo data and prints its credentials", () => {
    const { accountId, email, token, inboxId, inboxIdentifier } = first.credentials;
    expect(accountId).toBeGreaterThan(0);
    expect(inboxId).toBeGreaterThan(0);
    expect(email).toBe("demo@konversio.local");
    expect(token).toMatch(BASE58);
    expect(token).toHaveLength(32);
    expect(inboxIdentifier).toMatch(BASE58);
    expect(inboxIdentifier).toHaveLength(24);
    expect(first.output()).toContain(
      `curl -H 'api_access_token: ${token}' ${first.url}/api/v1/accounts/${accountId}/contacts`,
    );
  });

  it("prints a token that works against the API", async () => {
    const path = `${first.url}/api/v1/accounts/${first.credentials.accountId}/contacts`;
    const ok = await fetch(path, { headers: { api_access_token: first.credentials.token } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ payload: expect.any(Array) });

    const wrong = await fetch(path, { headers: { api_access_token: "not-the-demo-token" } });
    expect(wrong.status).toBe(401);
  });

  it("prints the demo agent's password, which signs in, and the console's URL", async () => {
    const { email, password } = first.credentials;
    expect(password).toMatch(/^demo-[1-9A-HJ-NP-Za-km-z]{12}$/);
    expect(first.output()).toContain(`console:           ${first.url}/app`);
    const res = await fetch(`${first.url}/auth/sign_in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/konversio_session=.*HttpOnly/i);
    const wrong = await fetch(`${first.url}/auth/sign_in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "nope" }),
    });
    expect(wrong.status).toBe(401);
  });

  it("reports D1 round trips in Server-Timing (SERVER_TIMING=on from .dev.vars)", async () => {
    const res = await fetch(`${first.url}/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/d1;desc="\d+ round trips"/);
  });

  it("serves the cron trigger locally (the webhook sweeper and routing pass)", async () => {
    const res = await fetch(`${first.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(res.status).toBe(200);
  });

  it("prints the same credentials on a second start and seeds nothing twice", async () => {
    await first.stop();
    second = await startDevServer({ persistDir });
    expect(second.credentials).toEqual(first.credentials);

    const res = await fetch(`${second.url}/api/v1/accounts/${second.credentials.accountId}/contacts`, {
      headers: { api_access_token: second.credentials.token },
    });
    expect(res.status).toBe(200);
    await second.stop();

    const [counts] = await queryLocalD1(
      persistDir,
      `SELECT
        (SELECT count(*) FROM accounts WHERE name = 'Konversio Demo') AS accounts,
        (SELECT count(*) FROM users WHERE email = 'demo@konversio.local') AS users,
        (SELECT count(*) FROM access_tokens) AS tokens,
        (SELECT count(*) FROM account_users WHERE role = 'administrator' AND availability = 'online') AS admins,
        (SELECT count(*) FROM inboxes WHERE name = 'Demo API inbox' AND channel_type = 'Channel::Api'
           AND length(hmac_token) = 24 AND secret LIKE 'whsec_%') AS inboxes,
        (SELECT count(*) FROM inbox_members) AS inbox_members`,
    );
    expect(counts).toEqual({ accounts: 1, users: 1, tokens: 1, admins: 1, inboxes: 1, inbox_members: 1 });
  });
});
