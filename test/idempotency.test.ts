import { describe, expect, it } from "vitest";
import { env, exports } from "cloudflare:workers";
import { sha256Hex } from "../src/lib/crypto";
import { as, createContact, createConversation, createWorld, expectError, unique } from "./helpers/factories";
import { api } from "./helpers/api";
import { idempotencyScope } from "../src/middleware/idempotency";

const scalar = async (query: string, ...params: unknown[]) => {
  const row = await env.DB.prepare(query)
    .bind(...params)
    .first<{ n: number }>();
  return row!.n;
};
const messageCount = (conversationDisplayId: number, accountId: number) =>
  scalar(
    "select count(*) n from messages where conversation_id = (select " +
      "id from conversations where account_id = ? and display_id = ?)",
    accountId,
    conversationDisplayId,
  );
const key = (name = "key") => unique(name);

describe("Idempotency-Key: sequential repeats", () => {
  it("stores one message and replays the identical response", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const headers = { "Idempotency-Key": key() };
    const first = await as(w.agent).post(`${path}/messages`, { content: "once" }, headers);
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const again = await as(w.agent).post(`${path}/messages`, { content: "once" }, headers);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(again.text).toBe(first.text);
    expect(await messageCount(conversation.id, w.account.id)).toBe(1);
  });

  it("refuses the same key with a different body with 422 and writes nothing", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const headers = { "Idempotency-Key": key() };
    expect((await as(w.agent).post(`${path}/messages`, { content: "first" }, headers)).status).toBe(200);
    const other = await as(w.agent).post(`${path}/messages`, { content: "second" }, headers);
    expectError(other, 422);
    expect(other.body).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", details: [] });
    expect(await messageCount(conversation.id, w.account.id)).toBe(1);
  });

  it("stores 4xx validation answers and replays them", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const headers = { "Idempotency-Key": key() };
    const bad = await as(w.agent).post(`${path}/messages`, { content: "x", message_type: "sideways" }, headers);
    expectError(bad, 422);
    const again = await as(w.agent).post(`${path}/messages`, { content: "x", message_type: "sideways" }, headers);
    expect(again.status).toBe(422);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(bad.text);
    expect(await messageCount(conversation.id, w.account.id)).toBe(0);
  });

  it("creates one conversation and one contact when their creates are repeated", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const admin = as(w.admin);
    const convHeaders = { "Idempotency-Key": key("conv") };
    const body = { inbox_id: w.inbox.id, contact_id: contact.id };
    const c1 = await admin.post(`${w.base}/conversations`, body, convHeaders);
    const c2 = await admin.post(`${w.base}/conversations`, body, convHeaders);
    expect([c1.status, c2.status]).toEqual([200, 200]);
    expect(c2.body.id).toBe(c1.body.id);
    expect(c2.headers.get("idempotent-replayed")).toBe("true");
    expect(await scalar("select count(*) n from conversations where contact_id = ?", contact.id)).toBe(1);

    const name = unique("Bob");
    const contactHeaders = { "Idempotency-Key": key("contact") };
    const p1 = await admin.post(`${w.base}/contacts`, { name }, contactHeaders);
    const p2 = await admin.post(`${w.base}/contacts`, { name }, contactHeaders);
    expect([p1.status, p2.status]).toEqual([200, 200]);
    expect(p2.text).toBe(p1.text);
    expect(await scalar("select count(*) n from contacts where account_id = ? and name = ?", w.account.id, name)).toBe(
      1,
    );
  });

  it("treats an expired key as new", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const headers = { "Idempotency-Key": key() };
    expect((await as(w.agent).post(`${path}/messages`, { content: "old" }, headers)).status).toBe(200);
    await env.DB.prepare("update idempotency_keys set expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    const fresh = await as(w.agent).post(`${path}/messages`, { content: "new body is fine" }, headers);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
    expect(await messageCount(conversation.id, w.account.id)).toBe(2);
  });
});

describe("Idempotency-Key: concurrency", () => {
  it("turns 10 concurrent repeats into exactly one write", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const headers = { "Idempotency-Key": key() };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => as(w.agent).post(`${path}/messages`, { content: "racing" }, headers)),
    );
    const originals = results.filter((r) => r.status === 200 && !r.headers.get("idempotent-replayed"));
    const replays = results.filter((r) => r.status === 200 && r.headers.get("idempotent-replayed") === "true");
    const inUse = results.filter((r) => r.status === 409);
    expect(originals).toHaveLength(1);
    expect(replays.length + inUse.length).toBe(9);
    for (const r of replays) expect(r.text).toBe(originals[0].text);
    for (const r of inUse) {
      expect(r.body).toMatchObject({ code: "IDEMPOTENCY_KEY_IN_USE", details: [] });
      expect(r.headers.get("retry-after")).toBe("1");
    }
    expect(await messageCount(conversation.id, w.account.id)).toBe(1);

    const later = await as(w.agent).post(`${path}/messages`, { content: "racing" }, headers);
    expect(later.headers.get("idempotent-replayed")).toBe("true");
    expect(later.text).toBe(originals[0].text);
  });

  it("answers 409 with Retry-After while the first request holds the key, and runs once it is abandoned", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const k = key();
    const body = JSON.stringify({ content: "held" });
    const scope = await idempotencyScope(w.agent.token, "POST", `${path}/messages`, k);
    const requestHash = await sha256Hex(`application/json\n${body}`);
    const now = Date.now();
    await env.DB.prepare(
      "insert into idempotency_keys (scope, request_hash, owner, " +
        "locked_until, expires_at, created_at) values (?, ?, 'other', ?, ?, ?)",
    )
      .bind(scope, requestHash, now + 60_000, now + 86_400_000, now)
      .run();
    const held = await as(w.agent).post(`${path}/messages`, { content: "held" }, { "Idempotency-Key": k });
    expectError(held, 409);
    expect(held.body.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    expect(held.headers.get("retry-after")).toBe("1");
    expect(await messageCount(conversation.id, w.account.id)).toBe(0);

    await env.DB.prepare("update idempotency_keys set locked_until = ? where scope = ?")
      .bind(now - 1, scope)
      .run();
    const taken = await as(w.agent).post(`${path}/messages`, { content: "held" }, { "Idempotency-Key": k });
    expect(taken.status).toBe(200);
    expect(taken.headers.get("idempotent-replayed")).toBeNull();
    expect(await messageCount(conversation.id, w.account.id)).toBe(1);
  });
});

describe("Idempotency-Key: security and compatibility", () => {
  it("keeps callers apart: the same key from two tokens runs twice", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const headers = { "Idempotency-Key": "shared-key" };
    const a = await as(w.admin).post(`${path}/messages`, { content: "from admin" }, headers);
    const b = await as(w.agent).post(`${path}/messages`, { content: "from agent" }, headers);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(b.body.content).toBe("from agent");
    expect(await messageCount(conversation.id, w.account.id)).toBe(2);
  });

  it("never stores an unauthenticated answer where a caller could replay it", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const headers = { "Idempotency-Key": key() };
    expectError(await api("POST", `${path}/messages`, { content: "x" }, { headers }), 401);
    expectError(await api("POST", `${path}/messages`, { content: "x" }, { token: "wrong", headers }), 401);
    const ok = await as(w.agent).post(`${path}/messages`, { content: "x" }, headers);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("idempotent-replayed")).toBeNull();
    expect(await messageCount(conversation.id, w.account.id)).toBe(1);
  });

  it("refuses a malformed key", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const res = await as(w.agent).post(`${path}/messages`, { content: "x" }, { "Idempotency-Key": "k".repeat(256) });
    expectError(res, 400);
    expect(res.body.code).toBe("IDEMPOTENCY_KEY_INVALID");
  });

  it("still parses multipart bodies, and replays a byte-identical multipart repeat", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const boundary = "----konversio-test-boundary";
    const raw = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="content"',
      "",
      "from a form",
      `--${boundary}`,
      'Content-Disposition: form-data; name="private"',
      "",
      "true",
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const headers = { "Idempotency-Key": key(), "content-type": `multipart/form-data; boundary=${boundary}` };
    const first = await api("POST", `${path}/messages`, undefined, { token: w.admin.token, headers, raw });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ content: "from a form", private: true });
    const again = await api("POST", `${path}/messages`, undefined, { token: w.admin.token, headers, raw });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);

    const form = new FormData();
    form.set("content", "form data object");
    const viaForm = await api("POST", `${path}/messages`, form, {
      token: w.admin.token,
      headers: { "Idempotency-Key": key() },
    });
    expect(viaForm.status).toBe(200);
    expect(viaForm.body.content).toBe("form data object");
    expect(await messageCount(conversation.id, w.account.id)).toBe(2);
  });

  it("changes nothing without the header", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const claimsBefore = await scalar("select count(*) n from idempotency_keys");
    const a = await as(w.agent).post(`${path}/messages`, { content: "same" });
    const b = await as(w.agent).post(`${path}/messages`, { content: "same" });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(b.body.id).not.toBe(a.body.id);
    expect(await messageCount(conversation.id, w.account.id)).toBe(2);
    expect(await scalar("select count(*) n from idempotency_keys")).toBe(claimsBefore);
  });
});

describe("echo_id on the Application API", () => {
  it("stores one message per echo_id in a conversation and replays it for repeats", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    const first = await as(w.agent).post(`${path}/messages`, { content: "hello", echo_id: "agent-bubble-1" });
    expect(first.status).toBe(200);
    const repeats = await Promise.all(
      Array.from({ length: 5 }, () =>
        as(w.agent).post(`${path}/messages`, { content: "hello", echo_id: "agent-bubble-1" }),
      ),
    );
    for (const r of repeats) {
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(first.body.id);
      expect(r.headers.get("idempotent-replayed")).toBe("true");
    }
    expect(await messageCount(conversation.id, w.account.id)).toBe(1);
    // The same echo_id in another conversation is another message.
    const other = await createConversation(w);
    expect(
      (await as(w.agent).post(`${other.path}/messages`, { content: "hello", echo_id: "agent-bubble-1" })).body.id,
    ).not.toBe(first.body.id);
  });
});

describe("Idempotency-Key and body size", () => {
  it("refuses a body over 20 MiB with 413 even when no content-length announces it, claiming nothing", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 21) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const idempotencyKey = key();
    const headers = {
      api_access_token: w.agent.token,
      "content-type": "application/json",
      "Idempotency-Key": idempotencyKey,
    };
    const res = await exports.default.fetch(
      new Request(`http://konversio.test${path}/messages`, { method: "POST", headers, body: stream }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    const scope = await idempotencyScope(w.agent.token, "POST", `${path}/messages`, idempotencyKey);
    expect(await scalar("select count(*) n from idempotency_keys where scope = ?", scope)).toBe(0);
  });
});
