import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "./helpers/api";
import { as, createWorld, expectError, unique, type World } from "./helpers/factories";

const row = (id: number) =>
  env.DB.prepare("select * from canned_responses where id = ?").bind(id).first<Record<string, unknown>>();
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function newCanned(w: World, short_code: string, content: string, actor = w.admin) {
  const res = await as(actor).post(`${w.base}/canned_responses`, { short_code, content });
  if (res.status !== 200) throw new Error(`canned response create failed: ${res.text}`);
  return res.body;
}

describe("canned responses: happy path", () => {
  it("creates one (flat or wrapped) and answers Chatwoot's raw row, ISO timestamps included", async () => {
    const w = await createWorld();
    const res = await as(w.agent).post(`${w.base}/canned_responses`, {
      canned_response: { short_code: "refund", content: "  We have refunded your order.  " },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      account_id: w.account.id,
      short_code: "refund",
      content: "We have refunded your order.",
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(Math.abs(Date.parse(res.body.created_at) - Date.now())).toBeLessThan(60_000);
    expect(await row(res.body.id)).toMatchObject({ account_id: w.account.id, short_code: "refund" });
    const flat = await as(w.admin).post(`${w.base}/canned_responses`, { short_code: "hi", content: "Hello!" });
    expect(flat.body).toMatchObject({ short_code: "hi", content: "Hello!" });
  });

  it("lists a bare array by id, and searches short codes before contents, ignoring case", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const thanks = await newCanned(w, "thanks", "Thank you for the REFUND request.");
    const refund = await newCanned(w, "refund", "Your money is on its way.");
    const late = await newCanned(w, "late-refund", "Sorry for the delay.");
    const hello = await newCanned(w, "hello", "Hello there");
    await newCanned(other, "refund-other", "Not yours");

    const all = await as(w.outsider).get(`${w.base}/canned_responses`);
    expect(all.status).toBe(200);
    expect(all.body.map((r: any) => r.id)).toEqual([thanks.id, refund.id, late.id, hello.id]);

    const found = await as(w.agent).get(`${w.base}/canned_responses`, { search: "ReFuNd" });
    expect(found.status).toBe(200);
    // Starts with it, then contains it in the short code, then only in the content.
    expect(found.body.map((r: any) => r.short_code)).toEqual(["refund", "late-refund", "thanks"]);
    expect(found.body[0]).toEqual(refund);
    const none = await as(w.agent).get(`${w.base}/canned_responses`, { search: "zzz" });
    expect(none.body).toEqual([]);
    // Clients send every filter: an empty search is no filter.
    expect((await as(w.agent).get(`${w.base}/canned_responses?search=`)).body).toHaveLength(4);
  });

  it("updates the fields sent with PATCH or PUT and deletes with 200", async () => {
    const w = await createWorld();
    const c = await newCanned(w, "ship", "It shipped.");
    const patched = await as(w.agent).patch(`${w.base}/canned_responses/${c.id}`, { content: "It has shipped." });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: c.id, short_code: "ship", content: "It has shipped." });
    const put = await as(w.agent).put(`${w.base}/canned_responses/${c.id}`, {
      canned_response: { short_code: "shipped" },
    });
    expect(put.body).toMatchObject({ short_code: "shipped", content: "It has shipped." });
    expect(Date.parse(put.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(c.updated_at));

    const del = await as(w.agent).delete(`${w.base}/canned_responses/${c.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: "Canned response deleted" });
    expect(await row(c.id)).toBeNull();
    expect((await as(w.agent).get(`${w.base}/canned_responses`)).body).toEqual([]);
  });
});

describe("canned responses: errors", () => {
  it("keeps short codes unique per account, on create and on update", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    await newCanned(a, "greet", "Hi");
    const dup = await as(a.agent).post(`${a.base}/canned_responses`, { short_code: " greet ", content: "Again" });
    expectError(dup, 422, "Short code has already been taken");
    expect(dup.body.details).toEqual([{ field: "short_code", message: "has already been taken" }]);
    expect((await as(b.admin).post(`${b.base}/canned_responses`, { short_code: "greet", content: "B" })).status).toBe(
      200,
    );
    const other = await newCanned(a, "bye", "Bye");
    const taken = await as(a.agent).patch(`${a.base}/canned_responses/${other.id}`, { short_code: "greet" });
    expectError(taken, 422, "Short code has already been taken");
    expect(await row(other.id)).toMatchObject({ short_code: "bye" });
  });

  it("validates presence, length and control characters with details", async () => {
    const w = await createWorld();
    const path = `${w.base}/canned_responses`;
    const missing = await as(w.agent).post(path, {});
    expectError(missing, 422);
    expect(missing.body.details.map((d: any) => d.field).sort()).toEqual(["content", "short_code"]);
    expectError(await as(w.agent).post(path, { short_code: "   ", content: "x" }), 422);
    expectError(await as(w.agent).post(path, { short_code: "a\nb", content: "x" }), 422, /control characters/);
    expectError(await as(w.agent).post(path, { short_code: "x".repeat(101), content: "x" }), 422);
    const long = await as(w.agent).post(path, { short_code: "long", content: "x".repeat(10_001) });
    expectError(long, 422, /content: is too long \(maximum is 10000 characters\)/);
    expectError(await as(w.agent).post(path, { short_code: "n", content: 5 }), 422);
    const c = await newCanned(w, "ok", "fine");
    expectError(await as(w.agent).patch(`${path}/${c.id}`, { content: "" }), 422);
    expectError(await as(w.agent).get(path, { search: "x".repeat(256) }), 422);
    expect(await row(c.id)).toMatchObject({ content: "fine" });
    expect((await as(w.agent).get(path)).body).toHaveLength(1);
  });

  it("answers unknown ids with 404 and malformed ones with 422", async () => {
    const w = await createWorld();
    const path = `${w.base}/canned_responses`;
    expectError(await as(w.agent).patch(`${path}/999999`, { content: "x" }), 404, "Canned response not found");
    expectError(await as(w.agent).delete(`${path}/999999`), 404, "Canned response not found");
    expectError(await as(w.agent).delete(`${path}/abc`), 422);
  });
});

describe("canned responses: security", () => {
  it("requires a valid token", async () => {
    const w = await createWorld();
    expectError(await api("GET", `${w.base}/canned_responses`), 401, "Invalid Access Token");
    const body = { short_code: "x", content: "y" };
    expectError(await api("POST", `${w.base}/canned_responses`, body, { token: "wrong" }), 401);
    expect(
      await env.DB.prepare("select count(*) n from canned_responses where account_id = ?").bind(w.account.id).first(),
    ).toEqual({ n: 0 });
  });

  it("treats another account's canned responses exactly like missing ones and leaves them unchanged", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const theirs = await newCanned(b, unique("secret"), "B's private wording");
    const missing = await as(a.admin).patch(`${a.base}/canned_responses/999999`, { content: "x" });
    const foreign = await as(a.admin).patch(`${a.base}/canned_responses/${theirs.id}`, { content: "hijacked" });
    expectError(foreign, 404, "Canned response not found");
    expect(foreign.body).toEqual(missing.body);
    expectError(await as(a.admin).delete(`${a.base}/canned_responses/${theirs.id}`), 404);
    // B's account in the path: A's administrator is not a member of it.
    expectError(await as(a.admin).get(`${b.base}/canned_responses`), 404, "Account not found");
    expectError(await as(a.admin).post(`${b.base}/canned_responses`, { short_code: "x", content: "y" }), 404);
    const search = await as(a.admin).get(`${a.base}/canned_responses`, { search: "private" });
    expect(search.body).toEqual([]);
    expect(await row(theirs.id)).toMatchObject({ content: "B's private wording", account_id: b.account.id });
  });
});
