import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "./helpers/api";
import { as, createWorld, expectError, unique, type World } from "./helpers/factories";

const teamRow = (id: number) =>
  env.DB.prepare("select * from teams where id = ?").bind(id).first<Record<string, unknown>>();
const teamMemberIds = async (teamId: number) =>
  (
    await env.DB.prepare("select user_id from team_members where team_id = ? order by user_id")
      .bind(teamId)
      .all<{ user_id: number }>()
  ).results.map((r) => r.user_id);
const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
const ids = (res: { body: any }) => sorted(res.body.map((a: any) => a.id));

async function newTeam(w: World, fields: Record<string, unknown> = {}) {
  const res = await as(w.admin).post(`${w.base}/teams`, { name: unique("sales"), ...fields });
  if (res.status !== 200) throw new Error(`team create failed: ${res.text}`);
  return res.body;
}

describe("teams: happy path", () => {
  it("creates a team (name lower-cased, as Chatwoot stores it) and answers the team JSON", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/teams`, {
      team: {
        name: "Tier 2 Support",
        description: "Escalations",
        allow_auto_assign: false,
        icon: "lifebuoy",
        icon_color: "#ff0000",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: "tier 2 support",
      description: "Escalations",
      allow_auto_assign: false,
      icon: "lifebuoy",
      icon_color: "#ff0000",
      account_id: w.account.id,
      is_member: false,
    });
    expect(await teamRow(res.body.id)).toMatchObject({ account_id: w.account.id, name: "tier 2 support" });
  });

  it("lists (bare array) and shows teams with is_member for the caller", async () => {
    const w = await createWorld();
    const t1 = await newTeam(w);
    const t2 = await newTeam(w);
    await as(w.admin).post(`${w.base}/teams/${t2.id}/team_members`, { user_ids: [w.agent.id] });
    const list = await as(w.agent).get(`${w.base}/teams`);
    expect(list.status).toBe(200);
    expect(list.body.map((t: any) => [t.id, t.is_member])).toEqual([
      [t1.id, false],
      [t2.id, true],
    ]);
    expect((await as(w.agent).get(`${w.base}/teams/${t2.id}`)).body).toMatchObject({
      id: t2.id,
      is_member: true,
      allow_auto_assign: true,
    });
    expect((await as(w.admin).get(`${w.base}/teams/${t2.id}/`)).body).toMatchObject({ id: t2.id, is_member: false });
  });

  it("updates with PATCH and PUT and deletes a team with its memberships", async () => {
    const w = await createWorld();
    const t = await newTeam(w, { description: "old" });
    const patched = await as(w.admin).patch(`${w.base}/teams/${t.id}`, { name: "Renamed", icon_color: "#00ff00" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "renamed", description: "old", icon_color: "#00ff00" });
    const put = await as(w.admin).put(`${w.base}/teams/${t.id}`, {
      team: { description: null, allow_auto_assign: "false" },
    });
    expect(put.body).toMatchObject({ name: "renamed", description: null, allow_auto_assign: false });

    await as(w.admin).post(`${w.base}/teams/${t.id}/team_members`, { user_ids: [w.agent.id] });
    const del = await as(w.admin).delete(`${w.base}/teams/${t.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: "Team deleted" });
    expectError(await as(w.admin).get(`${w.base}/teams/${t.id}`), 404, "Team not found");
    expect(await teamMemberIds(t.id)).toEqual([]);
  });

  it("manages team members: POST answers the added agents, PATCH replaces, DELETE removes", async () => {
    const w = await createWorld();
    const t = await newTeam(w);
    const path = `${w.base}/teams/${t.id}/team_members`;
    const first = await as(w.admin).post(path, { user_ids: [w.agent.id] });
    expect(first.status).toBe(200);
    expect(first.body).toEqual([expect.objectContaining({ id: w.agent.id, role: "agent", email: w.agent.email })]);
    const second = await as(w.admin).post(path, {
      team_member: { user_ids: [String(w.agent.id), String(w.outsider.id)] },
    });
    expect(ids(second)).toEqual([w.outsider.id]);
    const listed = await as(w.agent).get(path);
    expect(listed.status).toBe(200);
    expect(ids(listed)).toEqual(sorted([w.agent.id, w.outsider.id]));

    const replaced = await as(w.admin).patch(path, { user_ids: [w.admin.id, w.outsider.id] });
    expect(ids(replaced)).toEqual(sorted([w.admin.id, w.outsider.id]));
    expect(await teamMemberIds(t.id)).toEqual(sorted([w.admin.id, w.outsider.id]));

    const removed = await as(w.admin).delete(path, { user_ids: [w.outsider.id] });
    expect(removed.status).toBe(200);
    expect(ids(removed)).toEqual([w.admin.id]);
    const emptied = await as(w.admin).patch(path, { user_ids: [] });
    expect(emptied.body).toEqual([]);
  });
});

describe("teams: errors", () => {
  it("keeps team names unique per account, case-insensitively", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const name = unique("Billing");
    await newTeam(a, { name });
    const dup = await as(a.admin).post(`${a.base}/teams`, { name: name.toUpperCase() });
    expectError(dup, 422, "Name has already been taken");
    expect(dup.body.details).toEqual([{ field: "name", message: "has already been taken" }]);
    expect((await as(b.admin).post(`${b.base}/teams`, { name })).status).toBe(200);
    const other = await newTeam(a);
    expectError(await as(a.admin).patch(`${a.base}/teams/${other.id}`, { name }), 422, "Name has already been taken");
    expect(await teamRow(other.id)).toMatchObject({ name: other.name });
  });

  it("validates the body with details", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/teams`, { description: 5, allow_auto_assign: "perhaps" });
    expectError(res, 422);
    expect(res.body.details.map((d: any) => d.field).sort()).toEqual(["allow_auto_assign", "description", "name"]);
    expectError(await as(w.admin).post(`${w.base}/teams`, { name: "   " }), 422);
    const t = await newTeam(w);
    const members = await as(w.admin).post(`${w.base}/teams/${t.id}/team_members`, {});
    expectError(members, 422);
    expect(members.body.details.map((d: any) => d.field)).toEqual(["user_ids"]);
    expectError(await as(w.admin).post(`${w.base}/teams/${t.id}/team_members`, { user_ids: [] }), 422, /at least one/);
  });

  it("refuses users who are not agents of the account and changes nothing", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const t = await newTeam(a);
    await as(a.admin).post(`${a.base}/teams/${t.id}/team_members`, { user_ids: [a.agent.id] });
    for (const method of ["post", "patch", "delete"] as const) {
      const res = await as(a.admin)[method](`${a.base}/teams/${t.id}/team_members`, {
        user_ids: [a.outsider.id, b.agent.id],
      });
      expectError(res, 422, `User ${b.agent.id} is not an agent of this account`);
    }
    expect(await teamMemberIds(t.id)).toEqual([a.agent.id]);
  });

  it("answers malformed JSON with 400 and unknown teams with 404", async () => {
    const w = await createWorld();
    const raw = { token: w.admin.token, raw: "{nope", headers: { "content-type": "application/json" } };
    expectError(
      await api("POST", `${w.base}/teams`, undefined, raw),
      400,
      /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/,
    );
    expectError(await as(w.admin).get(`${w.base}/teams/999999`), 404, "Team not found");
    expectError(await as(w.admin).patch(`${w.base}/teams/999999`, { name: "x" }), 404, "Team not found");
    expectError(await as(w.admin).delete(`${w.base}/teams/999999`), 404, "Team not found");
    expectError(await as(w.admin).get(`${w.base}/teams/999999/team_members`), 404, "Team not found");
    expectError(
      await as(w.admin).post(`${w.base}/teams/999999/team_members`, { user_ids: [w.agent.id] }),
      404,
      "Team not found",
    );
  });
});

describe("teams: security", () => {
  it("requires a valid token", async () => {
    const w = await createWorld();
    expectError(await api("GET", `${w.base}/teams`), 401, "Invalid Access Token");
    expectError(await api("POST", `${w.base}/teams`, { name: "x" }, { token: "wrong" }), 401);
  });

  it("lets agents read but only administrators write", async () => {
    const w = await createWorld();
    const t = await newTeam(w);
    const path = `${w.base}/teams/${t.id}/team_members`;
    expectError(await as(w.agent).post(`${w.base}/teams`, { name: unique("agents") }), 403);
    expectError(await as(w.agent).patch(`${w.base}/teams/${t.id}`, { name: "mine" }), 403);
    expectError(await as(w.agent).delete(`${w.base}/teams/${t.id}`), 403);
    expectError(await as(w.agent).post(path, { user_ids: [w.agent.id] }), 403);
    expectError(await as(w.agent).patch(path, { user_ids: [w.agent.id] }), 403);
    expectError(await as(w.agent).delete(path, { user_ids: [w.agent.id] }), 403);
    expect(await teamRow(t.id)).toMatchObject({ name: t.name });
    expect(await teamMemberIds(t.id)).toEqual([]);
    expect((await as(w.agent).get(`${w.base}/teams`)).body).toHaveLength(1);
  });

  it("treats another account's teams exactly like missing ones and leaves them unchanged", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const t = await newTeam(b);
    await as(b.admin).post(`${b.base}/teams/${t.id}/team_members`, { user_ids: [b.agent.id] });
    const missing = await as(a.admin).get(`${a.base}/teams/999999`);
    const foreign = await as(a.admin).get(`${a.base}/teams/${t.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    const path = `${a.base}/teams/${t.id}/team_members`;
    expectError(await as(a.admin).patch(`${a.base}/teams/${t.id}`, { name: "hacked" }), 404, "Team not found");
    expectError(await as(a.admin).delete(`${a.base}/teams/${t.id}`), 404, "Team not found");
    expectError(await as(a.admin).get(path), 404, "Team not found");
    expectError(await as(a.admin).post(path, { user_ids: [a.agent.id] }), 404, "Team not found");
    expectError(await as(a.admin).patch(path, { user_ids: [] }), 404, "Team not found");
    expectError(await as(a.admin).delete(path, { user_ids: [b.agent.id] }), 404, "Team not found");
    expectError(await as(a.admin).get(`${b.base}/teams`), 404, "Account not found");
    expect(await teamRow(t.id)).toMatchObject({ name: t.name, account_id: b.account.id });
    expect(await teamMemberIds(t.id)).toEqual([b.agent.id]);
  });
});
