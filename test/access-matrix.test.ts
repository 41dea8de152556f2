import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import * as schema from "../src/db/schema";
import { accountSnapshot, documentedOperations, fillPath, refusalMismatch } from "./helpers/access";
import { api } from "./helpers/api";
import { as, createWorld, platform, unique } from "./helpers/factories";
import {
  isPublicClient,
  MATRIX,
  matrixWorld,
  UNAUTHENTICATED,
  type Access,
  type Ctx,
  type Entry,
} from "./helpers/operations";
import { leakedSecrets, worldSecrets, type Viewer } from "./helpers/secrets";
import { consoleSession } from "./helpers/sessions";

type Caller = "none" | "bad" | "platform" | "foreign" | "outsider" | "agent" | "admin";
const CALLERS: Caller[] = ["none", "bad", "platform", "foreign", "outsider", "agent", "admin"];
const OK = 200;

/**
 * foreign: an administrator of another account (a valid token); outsider: an agent of this account
 * in none of its inboxes; agent: an agent who is a member of the inbox concerned.
 */
const EXPECTED: Record<Access, Record<Caller, number>> = {
  admin: { none: 401, bad: 401, platform: 401, foreign: 404, outsider: 403, agent: 403, admin: OK },
  member: { none: 401, bad: 401, platform: 401, foreign: 404, outsider: 404, agent: OK, admin: OK },
  account: { none: 401, bad: 401, platform: 401, foreign: 404, outsider: OK, agent: OK, admin: OK },
  profile: { none: 401, bad: 401, platform: 401, foreign: OK, outsider: OK, agent: OK, admin: OK },
  platform: { none: 401, bad: 401, platform: OK, foreign: 401, outsider: 401, agent: 401, admin: 401 },
};

/** How a caller's request is made: with its API token, or (agents) on a console session cookie with its CSRF token. */
type Auth = { label: string; token: string | null; headers?: Record<string, string> };
type Callers = {
  tokens: Record<Caller, string | null>;
  viewers: Record<Caller, Viewer>;
  auths: Record<Caller, Auth[]>;
};

/** A console session for the user: the cookie and CSRF token a browser would send (the console's own origin). */
async function sessionOf(u: { email: string }, n: number): Promise<Auth> {
  return { label: "cookie", token: null, headers: (await consoleSession(u.email, `10.6.0.${n}`)).headers };
}

async function tokensFor(w: Ctx): Promise<Callers> {
  const other = await createWorld("Other");
  const user = (u: { id: number }, admin: boolean): Viewer => ({ kind: "user", userId: u.id, admin });
  const tokens: Record<Caller, string | null> = {
    none: null,
    bad: "not-a-valid-token",
    platform: env.PLATFORM_API_TOKEN!,
    foreign: other.admin.token,
    outsider: w.outsider.token,
    agent: w.agent.token,
    admin: w.admin.token,
  };
  const auths = Object.fromEntries(CALLERS.map((c) => [c, [{ label: "token", token: tokens[c] }]])) as Record<
    Caller,
    Auth[]
  >;
  // The console's cookie is accepted exactly where a token is, with the same roles and tenancy.
  const signedIn: [Caller, { email: string }][] = [
    ["foreign", other.admin],
    ["outsider", w.outsider],
    ["agent", w.agent],
    ["admin", w.admin],
  ];
  for (const [i, [caller, u]] of signedIn.entries()) auths[caller].push(await sessionOf(u, i + 1));
  return {
    tokens,
    auths,
    // The foreign administrator is an administrator, of another account: none of this one's secrets are theirs.
    viewers: {
      none: { kind: "none" },
      bad: { kind: "none" },
      platform: { kind: "platform" },
      foreign: user(other.admin, true),
      outsider: user(w.outsider, false),
      agent: user(w.agent, false),
      admin: user(w.admin, true),
    },
  };
}

/** What one response shows that its caller may not see (docs/api.md: who sees which secret). */
async function leaks(w: Ctx, callers: Callers, key: string, caller: Caller, text: string) {
  const secrets = await worldSecrets(
    w,
    [w.admin, w.agent, w.outsider].map((u) => ({ userId: u.id, token: u.token })),
  );
  return leakedSecrets(secrets, key, callers.viewers[caller], text).map((name) => `${key} as ${caller} shows ${name}`);
}

const send = (w: Ctx, key: string, entry: Entry, auth: Auth | string | null) => {
  const [method, path] = key.split(" ");
  const body = method === "GET" ? undefined : (entry.body?.(w) ?? {});
  const { token, headers } = typeof auth === "object" && auth !== null ? auth : { token: auth, headers: undefined };
  return api(method, fillPath(path, w.ids), body, { token, headers });
};

describe("access matrix", () => {
  it("classifies every documented operation", async () => {
    const documented = (await documentedOperations()).filter(
      (op) => !UNAUTHENTICATED.includes(op.key) && !isPublicClient(op.path),
    );
    expect(documented.map((op) => op.key).filter((key) => !MATRIX[key])).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !documented.some((op) => op.key === key))).toEqual([]);
    expect(documented.length).toBeGreaterThan(80);
  });

  const ACCESS: Access[] = ["admin", "member", "account", "profile", "platform"];
  const routesOf = (access: Access) => Object.entries(MATRIX).filter(([, entry]) => entry.access === access);

  // Refusals change nothing (each test proves it), so the refusal tests share one world.
  let refusalWorld: Promise<{ w: Ctx; callers: Callers }> | undefined;
  const sharedWorld = () => (refusalWorld ??= matrixWorld().then(async (w) => ({ w, callers: await tokensFor(w) })));

  // One test per class: the whole matrix is several hundred requests.
  for (const access of ACCESS) {
    it(`${access} routes: refuses the callers the table ` +
      `refuses, with the error envelope, and changes nothing`, async () => {
      const { w, callers } = await sharedWorld();
      const before = await accountSnapshot(w.account.id);
      const failures: string[] = [];
      for (const [key, entry] of routesOf(access)) {
        const refused = CALLERS.filter((caller) => EXPECTED[access][caller] !== OK);
        // Refusals change nothing, so one route's callers can go side by side.
        await Promise.all(
          refused.flatMap((caller) =>
            callers.auths[caller].map(async (auth) => {
              const status = EXPECTED[access][caller];
              const res = await send(w, key, entry, auth);
              const wrong = refusalMismatch(res, status, status === 401 ? "Invalid Access Token" : undefined);
              if (wrong) failures.push(`${key} as ${caller} (${auth.label}): ${wrong}`);
              failures.push(...(await leaks(w, callers, key, caller, res.text)));
            }),
          ),
        );
      }
      expect(failures).toEqual([]);
      expect(await accountSnapshot(w.account.id)).toEqual(before);
    }, 60_000);

    it(`${access} routes: lets the callers the table allows ` +
      `through, and shows each only the secrets that are theirs`, async () => {
      const w = await matrixWorld();
      const callers = await tokensFor(w);
      const failures: string[] = [];
      for (const [key, entry] of routesOf(access)) {
        if (entry.skip) continue;
        for (const caller of CALLERS.filter((c) => EXPECTED[access][c] === OK)) {
          for (const auth of callers.auths[caller]) {
            await entry.before?.(w);
            const res = await send(w, key, entry, auth);
            // Success: 2xx, or exactly the redirect the route is listed with, naming where to.
            const succeeded = entry.redirects
              ? res.status === entry.redirects && Boolean(res.headers.get("location"))
              : res.status >= 200 && res.status <= 299;
            if (!succeeded)
              failures.push(`${key} as ${caller} (${auth.label}): ${res.status} ${res.text.slice(0, 160)}`);
            failures.push(...(await leaks(w, callers, key, caller, res.text)));
          }
        }
      }
      expect(failures).toEqual([]);
    }, 60_000);
  }
});

describe("access after a repeated Idempotency-Key", () => {
  // A stored answer is the caller's own; once the caller's access is gone, so is the replay.
  it("refuses a replaced token, a removed agent and a demoted administrator as before", async () => {
    const w = await matrixWorld();
    const messages = `${w.base}/conversations/${w.ids.conversation_id}/messages`;
    const key = { "Idempotency-Key": unique("key") };
    const first = await as(w.agent).post(messages, { content: "once" }, key);
    expect(first.status).toBe(200);
    const replayed = await as(w.agent).post(messages, { content: "once" }, key);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body.id).toBe(first.body.id);
    const inboxKey = { "Idempotency-Key": unique("key") };
    const inbox = await as(w.admin).post(`${w.base}/inboxes`, { name: "Once" }, inboxKey);
    expect(inbox.status).toBe(200);
    const { admin: other } = await createWorld("Other");

    const reset = await as(w.agent).post("/api/v1/profile/reset_access_token");
    expect(reset.status).toBe(200);
    const revoked = await as(w.agent).post(messages, { content: "once" }, key);
    expect(refusalMismatch(revoked, 401, "Invalid Access Token")).toBeNull();
    const changed = await as(w.agent).post(messages, { content: "other body" }, key);
    expect(refusalMismatch(changed, 401, "Invalid Access Token")).toBeNull();
    expect(await w.db.select().from(schema.messages).where(eq(schema.messages.content, "once"))).toHaveLength(1);

    const agent = { token: reset.body.access_token as string };
    const again = await as(agent).post(messages, { content: "twice" }, key);
    expect(again.status).toBe(200);
    expect((await as(w.admin).delete(`${w.base}/agents/${w.agent.id}`)).status).toBe(200);
    expect(
      refusalMismatch(await as(agent).post(messages, { content: "twice" }, key), 404, "Account not found"),
    ).toBeNull();

    expect(
      (
        await platform().post(`/platform/api/v1/accounts/${w.account.id}/account_users`, {
          user_id: w.admin.id,
          role: "agent",
        })
      ).status,
    ).toBe(200);
    expect(refusalMismatch(await as(w.admin).post(`${w.base}/inboxes`, { name: "Once" }, inboxKey), 403)).toBeNull();
    expect(refusalMismatch(await as(other).post(`${w.base}/inboxes`, { name: "Once" }, inboxKey), 404)).toBeNull();
    expect(await w.db.select().from(schema.inboxes).where(eq(schema.inboxes.name, "Once"))).toHaveLength(1);
  }, 30_000);
});

describe("client API access", () => {
  it("needs no token, and answers 404 for an unknown inbox_identifier or source_id", async () => {
    const w = await matrixWorld();
    const base = `/public/api/v1/inboxes/${w.inbox.identifier}`;
    const inbox = await api("GET", base);
    expect(inbox.status).toBe(200);
    const session = await api("POST", `${base}/contacts`, { name: "Maya" });
    expect(session.status).toBe(200);
    const sourceId: string = session.body.source_id;
    expect((await api("GET", `${base}/contacts/${sourceId}`)).status).toBe(200);
    const opened = await api("POST", `${base}/contacts/${sourceId}/conversations`, {});
    expect(opened.status).toBe(200);

    const ops = (await documentedOperations()).filter((op) => isPublicClient(op.path));
    expect(ops.length).toBeGreaterThan(10);
    const failures: string[] = [];
    const real = {
      inbox_identifier: w.inbox.identifier,
      source_id: sourceId,
      conversation_id: opened.body.id,
      message_id: w.messageId,
    };
    for (const op of ops) {
      const body = op.method === "GET" ? undefined : {};
      const unknownInbox = await api(
        op.method,
        fillPath(op.path, { ...real, inbox_identifier: "no-such-inbox" }),
        body,
      );
      const wrong = refusalMismatch(unknownInbox, 404, "Inbox not found");
      if (wrong) failures.push(`${op.key} with an unknown inbox_identifier: ${wrong}`);
      if (!op.path.includes("{source_id}")) continue;
      const unknownSession = await api(op.method, fillPath(op.path, { ...real, source_id: crypto.randomUUID() }), body);
      const wrongSession = refusalMismatch(unknownSession, 404);
      if (wrongSession) failures.push(`${op.key} with an unknown source_id: ${wrongSession}`);
    }
    expect(failures).toEqual([]);
  }, 30_000);
});
