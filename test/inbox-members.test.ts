import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "./helpers/api";
import { as, createWorld, expectError } from "./helpers/factories";

const memberIds = async (inboxId: number) =>
  (
    await env.DB.prepare("select user_id from inbox_members where inbox_id = ? order by user_id")
      .bind(inboxId)
      .all<{ user_id: number }>()
  ).results.map((r) => r.user_id);
const ids = (res: { body: any }) => res.body.payload.map((a: any) => a.id).sort((x: number, y: number) => x - y);

describe("inbox members: happy path", () => {
  it("lists an inbox's agents in {payload:[agent]}", async () => {
    const w = await createWorld();
    const res = await as(w.agent).get(`${w.base}/inbox_members/${w.inbox.id}`);
    expect(res.status).toBe(200);
    expect(res.body.payload).toHaveLength(2);
    expect(res.body.payload).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: w.admin.id,
          role: "administrator",
          email: w.admin.email,
          account_id: w.account.id,
        }),
        expect.objectContaining({ id: w.agent.id, role: "agent", availability_status: "online", confirmed: true }),
      ]),
    );
    expect(res.text).not.toMatch(/token/);
  });

  it("adds agents (flat or wrapped, ids as strings, duplicates harmless) and answers all members", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/inbox_members`, {
      inbox_id: w.otherInbox.id,
      user_ids: [w.agent.id, w.agent.id],
    });
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([w.admin.id, w.agent.id].sort((x, y) => x - y));
    const again = await as(w.admin).post(`${w.base}/inbox_members`, {
      inbox_member: { inbox_id: String(w.otherInbox.id), user_ids: [String(w.outsider.id), String(w.agent.id)] },
    });
    expect(again.status).toBe(200);
    expect(ids(again)).toEqual([w.admin.id, w.agent.id, w.outsider.id].sort((x, y) => x - y));
    const visible = await as(w.outsider).get(`${w.base}/inboxes/${w.otherInbox.id}`);
    expect(visible.status).toBe(200);
  });

  it("replaces the member set with PATCH, and may empty it", async () => {
    const w = await createWorld();
    const res = await as(w.admin).patch(`${w.base}/inbox_members`, {
      inbox_id: w.inbox.id,
      user_ids: [w.outsider.id, w.admin.id],
    });
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([w.admin.id, w.outsider.id].sort((x, y) => x - y));
    expect(await memberIds(w.inbox.id)).toEqual([w.admin.id, w.outsider.id].sort((x, y) => x - y));
    expectError(await as(w.agent).get(`${w.base}/inboxes/${w.inbox.id}`), 404);
    const cleared = await as(w.admin).patch(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: [] });
    expect(cleared.body).toEqual({ payload: [] });
    expect(await memberIds(w.inbox.id)).toEqual([]);
  });

  it("removes agents with DELETE and answers the remaining members", async () => {
    const w = await createWorld();
    const res = await as(w.admin).delete(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: [w.agent.id] });
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([w.admin.id]);
    expect(await memberIds(w.inbox.id)).toEqual([w.admin.id]);
    expect((await as(w.agent).get(`${w.base}/inboxes`)).body.payload).toEqual([]);
  });
});

describe("inbox members: errors", () => {
  it("refuses users who are not agents of the account and changes nothing", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    for (const method of ["post", "patch"] as const) {
      const res = await as(a.admin)[method](`${a.base}/inbox_members`, {
        inbox_id: a.inbox.id,
        user_ids: [a.outsider.id, b.agent.id],
      });
      expectError(res, 422, `User ${b.agent.id} is not an agent of this account`);
      expect(res.body.details).toEqual([{ field: "user_ids", message: expect.stringContaining(String(b.agent.id)) }]);
    }
    expectError(
      await as(a.admin).post(`${a.base}/inbox_members`, { inbox_id: a.inbox.id, user_ids: [999998, 999999] }),
      422,
      "Users 999998, 999999 are not agents of this account",
    );
    expect(await memberIds(a.inbox.id)).toEqual([a.admin.id, a.agent.id].sort((x, y) => x - y));
  });

  it("validates the body with details", async () => {
    const w = await createWorld();
    const missing = await as(w.admin).post(`${w.base}/inbox_members`, {});
    expectError(missing, 422);
    expect(missing.body.details.map((d: any) => d.field).sort()).toEqual(["inbox_id", "user_ids"]);
    expectError(
      await as(w.admin).post(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: [] }),
      422,
      /user_ids: must list at least one/,
    );
    expectError(await as(w.admin).delete(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: [] }), 422);
    expectError(await as(w.admin).post(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: ["abc"] }), 422);
    expectError(await as(w.admin).patch(`${w.base}/inbox_members`, { inbox_id: "x", user_ids: [w.agent.id] }), 422);
  });

  it("answers malformed JSON with 400 and unknown inboxes with 404", async () => {
    const w = await createWorld();
    const raw = { token: w.admin.token, raw: "{nope", headers: { "content-type": "application/json" } };
    expectError(
      await api("POST", `${w.base}/inbox_members`, undefined, raw),
      400,
      /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/,
    );
    expectError(await api("DELETE", `${w.base}/inbox_members`, undefined, raw), 400);
    expectError(await as(w.admin).get(`${w.base}/inbox_members/999999`), 404, "Inbox not found");
    expectError(
      await as(w.admin).post(`${w.base}/inbox_members`, { inbox_id: 999999, user_ids: [w.agent.id] }),
      404,
      "Inbox not found",
    );
  });
});

describe("inbox members: security", () => {
  it("requires a valid token", async () => {
    const w = await createWorld();
    expectError(await api("GET", `${w.base}/inbox_members/${w.inbox.id}`), 401, "Invalid Access Token");
    expectError(await api("POST", `${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: [w.outsider.id] }), 401);
  });

  it("lets only administrators change members", async () => {
    const w = await createWorld();
    const body = { inbox_id: w.inbox.id, user_ids: [w.outsider.id] };
    expectError(await as(w.agent).post(`${w.base}/inbox_members`, body), 403);
    expectError(await as(w.agent).patch(`${w.base}/inbox_members`, body), 403);
    expectError(
      await as(w.agent).delete(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: [w.admin.id] }),
      403,
    );
    expect(await memberIds(w.inbox.id)).toEqual([w.admin.id, w.agent.id].sort((x, y) => x - y));
  });

  it("hides the members of an inbox the agent is not in, like a missing inbox", async () => {
    const w = await createWorld();
    const missing = await as(w.agent).get(`${w.base}/inbox_members/999999`);
    const hidden = await as(w.agent).get(`${w.base}/inbox_members/${w.otherInbox.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(missing.body);
  });

  it("treats another account's inboxes exactly like missing ones and leaves their members alone", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const missing = await as(a.admin).get(`${a.base}/inbox_members/999999`);
    const foreign = await as(a.admin).get(`${a.base}/inbox_members/${b.inbox.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expectError(
      await as(a.admin).post(`${a.base}/inbox_members`, { inbox_id: b.inbox.id, user_ids: [a.agent.id] }),
      404,
      "Inbox not found",
    );
    expectError(
      await as(a.admin).patch(`${a.base}/inbox_members`, { inbox_id: b.inbox.id, user_ids: [a.agent.id] }),
      404,
      "Inbox not found",
    );
    expectError(
      await as(a.admin).delete(`${a.base}/inbox_members`, { inbox_id: b.inbox.id, user_ids: [b.agent.id] }),
      404,
      "Inbox not found",
    );
    expect(await memberIds(b.inbox.id)).toEqual([b.admin.id, b.agent.id].sort((x, y) => x - y));
  });
});
