import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../src/index";
import { linkSignature } from "../src/lib/attachment-links";
import { drainObjectDeletions, migrateAttachmentsToR2 } from "../src/services/attachment-storage";
import { pruneUploads } from "../src/services/uploads";
import { api } from "./helpers/api";
import { as, createConversation, createWorld, expectError, platform, testDb, type World } from "./helpers/factories";
import { client, ok, startConversation } from "./helpers/public-client";

const MB = 1024 * 1024;

const rows = async <T = Record<string, unknown>>(query: string, ...binds: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...binds)
      .all<T>()
  ).results;

/** The worker's raw response (bytes intact; `api()` reads bodies as text). */
const fetchRaw = (path: string, init: RequestInit = {}) =>
  worker.fetch(new Request(new URL(path, "http://konversio.test"), init), env, createExecutionContext());

/** A data_url as a path with its query: what a client fetches. */
const linkOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

const sha256 = async (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/** `size` bytes that are not all alike (a hash then proves every byte came back). */
function patterned(size: number) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096) & 255;
  crypto.getRandomValues(bytes.subarray(0, 65536));
  bytes[size - 1] = 0x5a;
  return bytes;
}

const objectsOf = async (accountId: number) =>
  (await env.ATTACHMENTS.list({ prefix: `a/${accountId}/` })).objects.map((o) => o.key);

async function postFiles(w: World, path: string, files: File[], fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set("content", "Files");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const f of files) form.append("attachments[]", f);
  return api("POST", `${path}/messages`, form, { token: w.admin.token });
}

const uploadFile = (w: World, file: File, token = w.admin.token) => {
  const form = new FormData();
  form.append("attachment", file);
  return api("POST", `${w.base}/upload`, form, { token });
};

/** A link for this account, key and expiry, signed with the test secret: what a forger would need the secret for. */
const forged = (accountId: number, key: string, expires: number, name = "f.txt") =>
  `/attachments/${accountId}/${key}/${name}?expires=${expires}&signature=${linkSignature(
    env.ATTACHMENT_URL_SECRET!,
    accountId,
    key,
    expires,
  )}`;

describe("attachments in R2: storage", () => {
  it("stores a multipart attachment in R2, with an empty data column in D1", async () => {
    const w = await createWorld("R2");
    const { path } = await createConversation(w);
    const res = await postFiles(w, path, [new File(["stored in R2"], "note.txt", { type: "text/plain" })]);
    expect(res.status, res.text).toBe(200);
    const [row] = await rows<{ object_key: string; size: number; file_size: number }>(
      "select object_key, length(data) size, file_size from attachments where id = ?",
      res.body.attachments[0].id,
    );
    expect(row.object_key).toMatch(new RegExp(`^a/${w.account.id}/\\w+$`));
    expect(row).toMatchObject({ size: 0, file_size: 12 });
    const object = await env.ATTACHMENTS.get(row.object_key);
    expect(await object!.text()).toBe("stored in R2");
    expect(object!.httpMetadata?.contentType).toBe("text/plain");
  });

  it("takes a 40 MB file byte for byte and refuses a 41 MB one (413), storing nothing", async () => {
    const w = await createWorld("Big");
    const { path, conversation } = await createConversation(w);
    const bytes = patterned(40 * MB);
    const res = await postFiles(w, path, [new File([bytes], "video.bin", { type: "application/octet-stream" })]);
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    expect(res.body.attachments[0].file_size).toBe(40 * MB);
    const file = await fetchRaw(linkOf(res.body.attachments[0].data_url));
    expect(file.status).toBe(200);
    expect(file.headers.get("content-length")).toBe(String(40 * MB));
    const back = new Uint8Array(await file.arrayBuffer());
    expect(back.byteLength).toBe(40 * MB);
    expect(await sha256(back)).toBe(await sha256(bytes));

    const before = await objectsOf(w.account.id);
    const tooBig = await postFiles(w, path, [new File([new Uint8Array(41 * MB)], "huge.bin")]);
    expectError(tooBig, 413);
    expect(await objectsOf(w.account.id)).toEqual(before);
    const messages = await rows(
      "select id from messages where conversation_id = (select id from conversations where account_id = ? " +
        "and display_id = ?)",
      w.account.id,
      conversation.id,
    );
    expect(messages).toHaveLength(1);
    expect(await rows("select id from attachments where account_id = ?", w.account.id)).toHaveLength(1);
  }, 60_000);

  it("deletes the objects it put when the message's batch does not commit (a repeated echo_id)", async () => {
    const w = await createWorld("Echo");
    const { path } = await createConversation(w);
    const first = await as(w.admin).post(`${path}/messages`, { content: "once", echo_id: "echo-1" });
    expect(first.status).toBe(200);
    const again = await postFiles(w, path, [new File(["dropped"], "dropped.txt")], { echo_id: "echo-1" });
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    expect(await objectsOf(w.account.id)).toEqual([]);
    expect(await rows("select id from attachments where account_id = ?", w.account.id)).toEqual([]);
  });
});

describe("attachments in R2: uploads and blob ids", () => {
  it("uploads (multipart and raw) and attaches by blob_id in JSON and multipart, taking the upload", async () => {
    const w = await createWorld("Upload");
    const { path } = await createConversation(w);
    const up = await uploadFile(w, new File(["%PDF-1.4 invoice"], "invoice.pdf", { type: "application/pdf" }));
    expect(up.status, up.text).toBe(200);
    expect(Object.keys(up.body).sort()).toEqual(["blob_id", "blob_key", "file_url"]);
    expect(up.body.blob_id).toMatch(/^up_\w+$/);
    expect(up.body.blob_key).toMatch(new RegExp(`^a/${w.account.id}/`));
    const preview = await api("GET", linkOf(up.body.file_url));
    expect(preview.status).toBe(200);
    expect(preview.text).toBe("%PDF-1.4 invoice");
    const [upload] = await rows<{ expires_at: number; created_at: number; inbox_id: null; contact_id: null }>(
      "select * from uploads where blob_id = ?",
      up.body.blob_id,
    );
    expect(upload).toMatchObject({ inbox_id: null, contact_id: null, byte_size: 16, content_type: "application/pdf" });
    expect(upload.expires_at - upload.created_at).toBe(24 * 60 * 60 * 1000);

    // Raw: the file's own type, named by ?filename= or Content-Disposition, streamed with its length.
    const raw = await api("POST", `${w.base}/upload`, undefined, {
      token: w.admin.token,
      raw: new TextEncoder().encode("<svg/>"),
      query: { filename: "logo.svg" },
      headers: { "content-type": "image/svg+xml", "content-length": "6" },
    });
    expect(raw.status, raw.text).toBe(200);
    const named = await api("POST", `${w.base}/upload`, undefined, {
      token: w.admin.token,
      raw: new TextEncoder().encode("a,b"),
      headers: {
        "content-type": "text/csv",
        "content-length": "3",
        "content-disposition": "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.csv",
      },
    });
    expect(named.status, named.text).toBe(200);
    expect(new URL(named.body.file_url).pathname).toMatch(/\/r%C3%A9sum%C3%A9\.csv$/);

    const json = await as(w.admin).post(`${path}/messages`, {
      content: "Your documents",
      attachments: [up.body.blob_id, { blob_id: raw.body.blob_id }],
    });
    expect(json.status, json.text).toBe(200);
    expect(json.body.attachments).toMatchObject([
      { file_name: "invoice.pdf", content_type: "application/pdf", file_type: "file", extension: "pdf", file_size: 16 },
      { file_name: "logo.svg", content_type: "image/svg+xml", file_type: "image", extension: "svg", file_size: 6 },
    ]);
    const form = new FormData();
    form.set("content", "One more");
    form.append("attachments[]", named.body.blob_id);
    form.append("attachments[]", new File(["sent along"], "along.txt", { type: "text/plain" }));
    const mixed = await api("POST", `${path}/messages`, form, { token: w.admin.token });
    expect(mixed.status, mixed.text).toBe(200);
    expect(mixed.body.attachments.map((a: { file_name: string }) => a.file_name)).toEqual(["résumé.csv", "along.txt"]);

    // Each attachment holds its upload's object; the uploads are gone and nothing is queued for deletion.
    const held = await rows<{ object_key: string }>(
      "select object_key from attachments where message_id = ?",
      json.body.id,
    );
    expect(held.map((r) => r.object_key)).toEqual([up.body.blob_key, raw.body.blob_key]);
    expect(await rows("select id from uploads where account_id = ?", w.account.id)).toEqual([]);
    expect(await rows("select id from object_deletions where object_key like ?", `a/${w.account.id}/%`)).toEqual([]);
    expect((await api("GET", linkOf(json.body.attachments[0].data_url))).text).toBe("%PDF-1.4 invoice");
    // The upload's own link ends with it; a blob id is used once.
    expectError(await api("GET", linkOf(up.body.file_url)), 404);
    const reused = await as(w.admin).post(`${path}/messages`, { content: "again", attachments: [up.body.blob_id] });
    expectError(reused, 422);
    expect(reused.body.details).toEqual([
      { field: "attachments.0", message: expect.stringContaining("not an upload") },
    ]);
  });

  it("refuses a raw upload without Content-Length (411), over 40 MB (413), and JSON or URLs (422)", async () => {
    const w = await createWorld("Refused");
    const unsized = await api("POST", `${w.base}/upload`, undefined, {
      token: w.admin.token,
      raw: new TextEncoder().encode("abc"),
      headers: { "content-type": "application/octet-stream" },
    });
    expectError(unsized, 411);
    const big = 41 * MB;
    const oversize = await api("POST", `${w.base}/upload`, undefined, {
      token: w.admin.token,
      raw: new Uint8Array(big),
      headers: { "content-type": "application/octet-stream", "content-length": String(big) },
    });
    expectError(oversize, 413);
    expect(oversize.body.details).toEqual([{ field: "attachment", message: "is too large" }]);
    const bigForm = await uploadFile(w, new File([new Uint8Array(41 * MB)], "huge.bin"));
    expectError(bigForm, 413);
    const exact = await api("POST", `${w.base}/upload`, undefined, {
      token: w.admin.token,
      raw: patterned(40 * MB),
      headers: { "content-type": "application/octet-stream", "content-length": String(40 * MB) },
    });
    expect(exact.status, exact.text).toBe(200);
    const url = await as(w.admin).post(`${w.base}/upload`, { external_url: "http://169.254.169.254/latest" });
    expectError(url, 422, /not fetched/);
    expect(url.body.details[0].field).toBe("external_url");
    expectError(await as(w.admin).post(`${w.base}/upload`, {}), 422, /attachment is required/);
    expectError(await api("POST", `${w.base}/upload`, new FormData(), { token: w.admin.token }), 422);
    expect(await rows("select id from uploads where account_id = ?", w.account.id)).toHaveLength(1);
    expect(await objectsOf(w.account.id)).toHaveLength(1);
  }, 60_000);

  it("refuses foreign, expired, unknown and URL references with 422 naming the field, storing nothing", async () => {
    const w = await createWorld("Mine");
    const other = await createWorld("Theirs");
    const { path, conversation } = await createConversation(w);
    const theirs = await uploadFile(other, new File(["theirs"], "theirs.txt"));
    const expired = await uploadFile(w, new File(["old"], "old.txt"));
    await env.DB.prepare("update uploads set expires_at = ? where blob_id = ?")
      .bind(Date.now() - 1, expired.body.blob_id)
      .run();
    const mine = await uploadFile(w, new File(["mine"], "mine.txt"));
    const cases: [unknown[], string][] = [
      [[mine.body.blob_id, theirs.body.blob_id], "attachments.1"],
      [[expired.body.blob_id], "attachments.0"],
      [["up_NoSuchUpload"], "attachments.0"],
    ];
    for (const [attachments, field] of cases) {
      const res = await as(w.admin).post(`${path}/messages`, { content: "x", attachments });
      expectError(res, 422);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    const url = await as(w.admin).post(`${path}/messages`, {
      content: "x",
      attachments: [{ url: "https://example.com/a.png" }],
    });
    expectError(url, 422);
    expect(url.body.details).toEqual([
      { field: "attachments.0", message: expect.stringMatching(/upload the file first/) },
    ]);
    const count = await rows(
      "select count(*) n from messages where conversation_id = (select id from conversations " +
        "where account_id = ? and display_id = ?)",
      w.account.id,
      conversation.id,
    );
    expect(count).toEqual([{ n: 0 }]);
    // The refused messages took nothing: the usable upload is still there.
    expect(await rows("select blob_id from uploads where blob_id = ?", mine.body.blob_id)).toHaveLength(1);
  });

  it("scopes client API uploads to the contact's session: its own blob ids only, and never an agent's", async () => {
    const w = await createWorld("Widget");
    const c = client(w.inbox.identifier);
    const maya = await startConversation(c);
    const leo = await startConversation(c, { name: "Leo" });
    const form = new FormData();
    form.append("attachment", new File(["screenshot"], "shot.png", { type: "image/png" }));
    const up = ok(await api("POST", `${c.base}/contacts/${maya.sourceId}/upload`, form));
    const [row] = await rows("select inbox_id, contact_id from uploads where blob_id = ?", up.blob_id);
    expect(row).toEqual({ inbox_id: w.inbox.id, contact_id: maya.contact.id });

    // Another contact, and agents, cannot use it; an agent's upload is not the contact's.
    const stolen = await c.post(`${leo.path}/messages`, { content: "mine now", attachments: [up.blob_id] });
    expectError(stolen, 422);
    expect(stolen.body.details[0].field).toBe("attachments.0");
    const { path } = await createConversation(w);
    expectError(await as(w.admin).post(`${path}/messages`, { content: "x", attachments: [up.blob_id] }), 422);
    const agents = await uploadFile(w, new File(["agent"], "agent.txt"));
    expectError(await c.post(`${maya.path}/messages`, { content: "x", attachments: [agents.body.blob_id] }), 422);
    const urlRef = await c.post(`${maya.path}/messages`, { attachments: [{ external_url: "https://example.com" }] });
    expectError(urlRef, 422);

    const sent = ok(await c.post(`${maya.path}/messages`, { attachments: [up.blob_id] }));
    expect(sent.attachments).toMatchObject([{ file_name: "shot.png", file_type: "image", file_size: 10 }]);
    const file = await fetchRaw(linkOf(sent.attachments[0].data_url));
    expect(await file.text()).toBe("screenshot");
    expect(file.headers.get("content-disposition")).toMatch(/^inline;/);
    // An unknown session uploads nothing.
    const nobody = await api("POST", `${c.base}/contacts/${crypto.randomUUID()}/upload`, form);
    expectError(nobody, 404);
  });
});

describe("attachments in R2: signed links", () => {
  it("serves a signed link and refuses an expired, altered or unsigned one with 403", async () => {
    const w = await createWorld("Links");
    const other = await createWorld("Links elsewhere");
    const { path } = await createConversation(w);
    const res = await postFiles(w, path, [
      new File(["hello"], "hello.txt", { type: "text/plain" }),
      new File(["other"], "other.txt", { type: "text/plain" }),
    ]);
    const link = new URL(res.body.attachments[0].data_url);
    const [, , accountId, key] = link.pathname.split("/");
    const expires = Number(link.searchParams.get("expires"));
    const signature = link.searchParams.get("signature")!;
    const now = Math.floor(Date.now() / 1000);
    // About an hour (rounded up to five minutes, so a refresh shows the same URL).
    expect(expires - now).toBeGreaterThan(3599);
    expect(expires - now).toBeLessThanOrEqual(3900);
    expect(expires % 300).toBe(0);
    expect((await api("GET", link.pathname + link.search)).text).toBe("hello");
    // The file name is not part of what is signed: a link saves the file under any name.
    expect((await api("GET", `/attachments/${accountId}/${key}/renamed.txt${link.search}`)).status).toBe(200);

    const otherKey = new URL(res.body.attachments[1].data_url).pathname.split("/")[3];
    const flipped = signature.replace(/^./, (ch) => (ch === "0" ? "1" : "0"));
    const refused = [
      link.pathname,
      `${link.pathname}?expires=${expires}`,
      `${link.pathname}?expires=${expires}&signature=${flipped}`,
      `${link.pathname}?expires=${expires + 300}&signature=${signature}`,
      `/attachments/${accountId}/${otherKey}/other.txt${link.search}`,
      `/attachments/${other.account.id}/${key}/hello.txt${link.search}`,
      `/attachments/0${accountId}/${key}/hello.txt${link.search}`,
      forged(w.account.id, key, now - 1, "hello.txt"),
    ];
    for (const p of refused) expectError(await api("GET", p), 403, /invalid or has expired/);
    // Correctly signed for another account: the key is looked up in that account only.
    expectError(await api("GET", forged(other.account.id, key, now + 60)), 404, "Attachment not found");
  });

  it("opens a visible conversation's attachment by a redirect to a link signed now; 404 elsewhere", async () => {
    const w = await createWorld("Open");
    const other = await createWorld("Open elsewhere");
    const { path, conversation } = await createConversation(w);
    const second = await createConversation(w);
    const res = await postFiles(w, path, [new File(["opened later"], "later.txt", { type: "text/plain" })]);
    const attachmentId = res.body.attachments[0].id;
    const open = (p: string, token?: string) =>
      fetchRaw(p, { redirect: "manual", headers: token ? { api_access_token: token } : {} });
    const route = `${path}/attachments/${attachmentId}`;

    for (const token of [w.admin.token, w.agent.token]) {
      const answer = await open(route, token);
      expect(answer.status).toBe(302);
      expect(answer.headers.get("cache-control")).toBe("private, max-age=600");
      const signed = new URL(answer.headers.get("location")!);
      expect(signed.pathname).toBe(new URL(res.body.attachments[0].data_url).pathname);
      expect(Number(signed.searchParams.get("expires"))).toBeGreaterThan(Date.now() / 1000 + 3599);
      const file = await fetchRaw(linkOf(signed.href));
      expect(await file.text()).toBe("opened later");
    }
    // No token; an agent outside the conversation's inbox; another conversation's path; another
    // account's path and token; an unknown id: each as if the attachment did not exist.
    expectError(await api("GET", route), 401);
    expectError(await api("GET", route, undefined, { token: w.outsider.token }), 404);
    expectError(
      await api("GET", `${second.path}/attachments/${attachmentId}`, undefined, { token: w.admin.token }),
      404,
    );
    const foreign = `${other.base}/conversations/${conversation.id}/attachments/${attachmentId}`;
    expectError(await api("GET", foreign, undefined, { token: other.admin.token }), 404);
    expectError(await api("GET", route, undefined, { token: other.admin.token }), 404);
    expectError(
      await api("GET", `${path}/attachments/${attachmentId + 1000}`, undefined, { token: w.admin.token }),
      404,
    );
  });

  it("answers 503 naming the secret, not a 403 blaming the link, while ATTACHMENT_URL_SECRET is unset", async () => {
    const w = await createWorld("No secret");
    const { path } = await createConversation(w);
    const res = await postFiles(w, path, [new File(["hello"], "hello.txt", { type: "text/plain" })]);
    const link = linkOf(res.body.attachments[0].data_url);
    const unset = { ...env, ATTACHMENT_URL_SECRET: undefined };
    const answer = await worker.fetch(new Request(`http://konversio.test${link}`), unset, createExecutionContext());
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ code: "NOT_CONFIGURED", error: /ATTACHMENT_URL_SECRET/ });
    // With the secret, the same link serves the file.
    expect((await fetchRaw(link)).status).toBe(200);
  });

  it("serves files with safe headers: nosniff, sandbox, length, a private cache that ends with the link", async () => {
    const w = await createWorld("Headers");
    const { path } = await createConversation(w);
    const res = await postFiles(w, path, [
      new File([new Uint8Array([137, 80, 78, 71])], "pic.png", { type: "image/png" }),
      new File(["<svg onload='alert(1)'/>"], "pic.svg", { type: "image/svg+xml" }),
      new File(["<script>alert(1)</script>"], "page.html", { type: "text/html" }),
      new File(["<a/>"], "data.xml", { type: "application/xml" }),
      new File(["abc"], "ñame (1).mp3", { type: "audio/mpeg" }),
    ]);
    expect(res.status, res.text).toBe(200);
    const got = await Promise.all(res.body.attachments.map((a: { data_url: string }) => fetchRaw(linkOf(a.data_url))));
    const header = (i: number, name: string) => got[i].headers.get(name);
    for (const [i, r] of got.entries()) {
      expect(r.status).toBe(200);
      expect(header(i, "x-content-type-options")).toBe("nosniff");
      expect(header(i, "content-security-policy")).toBe("sandbox");
      const maxAge = Number(header(i, "cache-control")!.match(/^private, max-age=(\d+)$/)![1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(3600);
    }
    expect(header(0, "content-type")).toBe("image/png");
    expect(header(0, "content-length")).toBe("4");
    expect(header(0, "content-disposition")).toBe(`inline; filename="pic.png"; filename*=UTF-8''pic.png`);
    expect(header(1, "content-type")).toBe("image/svg+xml");
    expect(header(1, "content-disposition")).toMatch(/^attachment;/);
    expect(header(2, "content-type")).toBe("text/html");
    expect(header(2, "content-disposition")).toMatch(/^attachment;/);
    expect(header(3, "content-disposition")).toMatch(/^attachment;/);
    expect(header(4, "content-disposition")).toBe(
      `inline; filename="_ame (1).mp3"; filename*=UTF-8''%C3%B1ame%20%281%29.mp3`,
    );
  });
});

describe("attachments in R2: deletion", () => {
  const objectGone = async (key: string) => (await env.ATTACHMENTS.head(key)) === null;

  it("queues the objects of deleted messages, inboxes, contacts and accounts, and the drain deletes them", async () => {
    const w = await createWorld("Drain");
    const keyOf = async (messageId: number) =>
      (await rows<{ object_key: string }>("select object_key from attachments where message_id = ?", messageId))[0]
        .object_key;
    const file = () => [new File(["bytes"], "f.txt", { type: "text/plain" })];

    const byMessage = await createConversation(w);
    const m1 = await postFiles(w, byMessage.path, file());
    const byContact = await createConversation(w);
    const m2 = await postFiles(w, byContact.path, file());
    const inbox = await as(w.admin).post(`${w.base}/inboxes`, { name: "Doomed inbox" });
    await env.DB.prepare("insert or ignore into inbox_members (inbox_id, user_id) values (?, ?)")
      .bind(inbox.body.id, w.admin.id)
      .run();
    const byInbox = await createConversation(w, { inbox_id: inbox.body.id });
    const m3 = await postFiles(w, byInbox.path, file());
    const doomed = await createWorld("Drained account");
    const byAccount = await createConversation(doomed);
    const m4 = await postFiles(doomed, byAccount.path, file());
    const keys = [await keyOf(m1.body.id), await keyOf(m2.body.id), await keyOf(m3.body.id), await keyOf(m4.body.id)];
    const kept = await postFiles(w, byMessage.path, file());
    const keptKey = await keyOf(kept.body.id);

    expect((await as(w.admin).delete(`${byMessage.path}/messages/${m1.body.id}`)).status).toBe(200);
    expect((await as(w.admin).delete(`${w.base}/contacts/${byContact.contact.id}`)).status).toBe(200);
    expect((await as(w.admin).delete(`${w.base}/inboxes/${inbox.body.id}`)).status).toBe(200);
    expect((await platform().delete(`/platform/api/v1/accounts/${doomed.account.id}`)).status).toBe(200);

    const queued = await rows<{ object_key: string }>(
      "select object_key from object_deletions where object_key in (select value from json_each(?))",
      JSON.stringify([...keys, keptKey]),
    );
    expect(queued.map((r) => r.object_key).sort()).toEqual([...keys].sort());
    for (const key of keys) expect(await objectGone(key)).toBe(false);

    // Bounded: one row a chunk here, until the queue is empty.
    let drained = 0;
    for (let n = await drainObjectDeletions(env, testDb(), 1); n > 0; n = await drainObjectDeletions(env, testDb(), 1))
      drained += n;
    expect(drained).toBeGreaterThanOrEqual(4);
    for (const key of keys) expect({ key, gone: await objectGone(key) }).toEqual({ key, gone: true });
    expect(await objectGone(keptKey)).toBe(false);
    expect(await rows("select id from object_deletions")).toEqual([]);
    expect((await api("GET", linkOf(kept.body.attachments[0].data_url))).text).toBe("bytes");
  });

  it("prunes expired uploads (their objects queued and drained) and keeps those still waiting", async () => {
    const w = await createWorld("Prune");
    const stale = await uploadFile(w, new File(["stale"], "stale.txt"));
    const fresh = await uploadFile(w, new File(["fresh"], "fresh.txt"));
    await env.DB.prepare("update uploads set expires_at = ? where blob_id = ?")
      .bind(Date.now() - 1000, stale.body.blob_id)
      .run();
    // Every expired upload of the database (other tests' too), at most the limit a run.
    expect(await pruneUploads(testDb(), Date.now(), 1)).toBe(1);
    while ((await pruneUploads(testDb(), Date.now(), 1)) > 0);
    expect(await rows("select blob_id from uploads where account_id = ?", w.account.id)).toEqual([
      { blob_id: fresh.body.blob_id },
    ]);
    await drainObjectDeletions(env, testDb(), 100);
    expect(await objectGone(stale.body.blob_key)).toBe(true);
    expect(await objectGone(fresh.body.blob_key)).toBe(false);
    expect(await pruneUploads(testDb(), Date.now())).toBe(0);
  });
});

describe("attachments in R2: moving D1 blobs", () => {
  it("moves a legacy row's bytes to R2 while its link keeps working, and a second run changes nothing", async () => {
    const w = await createWorld("Legacy");
    const { path } = await createConversation(w);
    const message = await as(w.admin).post(`${path}/messages`, { content: "From before R2" });
    const bytes = patterned(300_000);
    const legacyKey = `legacy${crypto.randomUUID().replaceAll("-", "")}`.slice(0, 32);
    await env.DB.prepare(
      "insert into attachments (account_id, message_id, key, file_type, file_name, extension, content_type, " +
        "file_size, data, created_at) values (?, ?, ?, 'image', 'old.png', 'png', 'image/png', ?, ?, 0)",
    )
      .bind(w.account.id, message.body.id, legacyKey, bytes.byteLength, bytes)
      .run();
    const listed = await as(w.admin).get(`${path}/messages`);
    const link = linkOf(listed.body.payload[0].attachments[0].data_url);
    const download = async () => {
      const r = await fetchRaw(link);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("image/png");
      return sha256(await r.arrayBuffer());
    };
    const hash = await sha256(bytes);
    expect(await download()).toBe(hash);

    // As if a run stopped between its put and its update: the next one puts the same key again.
    const objectKey = `a/${w.account.id}/m/${legacyKey}`;
    await env.ATTACHMENTS.put(objectKey, "partial");
    expect(await download()).toBe(hash);
    let moved = 0;
    for (
      let n = await migrateAttachmentsToR2(env, testDb(), 1);
      n > 0;
      n = await migrateAttachmentsToR2(env, testDb(), 1)
    )
      moved += n;
    expect(moved).toBeGreaterThanOrEqual(1);
    const [row] = await rows("select object_key, length(data) size from attachments where key = ?", legacyKey);
    expect(row).toEqual({ object_key: objectKey, size: 0 });
    expect(await sha256(await (await env.ATTACHMENTS.get(objectKey))!.arrayBuffer())).toBe(hash);
    expect(await download()).toBe(hash);

    expect(await migrateAttachmentsToR2(env, testDb())).toBe(0);
    expect(await rows("select object_key, length(data) size from attachments where key = ?", legacyKey)).toEqual([row]);
    expect(await download()).toBe(hash);
    // Once moved, deleting the message queues its object like any other.
    await as(w.admin).delete(`${path}/messages/${message.body.id}`);
    expect(await rows("select id from object_deletions where object_key = ?", objectKey)).toHaveLength(1);
  });
});
