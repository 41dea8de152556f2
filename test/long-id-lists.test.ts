import { describe, expect, it } from "vitest";
import { as, createWorld, expectError } from "./helpers/factories";

/** D1 binds at most 100 parameters a query: lists of ids from a request are bound as one JSON value. */
describe("requests with long lists of user ids", () => {
  it("answer inbox and team member changes with 4xx or 2xx, never a D1 error", async () => {
    const w = await createWorld();
    const unknown = Array.from({ length: 150 }, (_, i) => 900_000 + i);
    const admin = as(w.admin);
    expectError(await admin.post(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: unknown }), 422);
    expectError(await admin.patch(`${w.base}/inbox_members`, { inbox_id: w.inbox.id, user_ids: unknown }), 422);
    const team = (await admin.post(`${w.base}/teams`, { name: "Tier 2" })).body;
    expectError(await admin.post(`${w.base}/teams/${team.id}/team_members`, { user_ids: unknown }), 422);
    expectError(await admin.patch(`${w.base}/teams/${team.id}/team_members`, { user_ids: unknown }), 422);

    // A long removal list naming strangers is refused as a whole; the members stay.
    expect((await admin.post(`${w.base}/teams/${team.id}/team_members`, { user_ids: [w.agent.id, w.admin.id] })).status).toBe(200);
    expectError(await admin.delete(`${w.base}/teams/${team.id}/team_members`, { user_ids: [...unknown.slice(0, 120), w.agent.id] }), 422);
    const members = await admin.get(`${w.base}/teams/${team.id}/team_members`);
    expect(members.body.map((m: { id: number }) => m.id).sort()).toEqual([w.admin.id, w.agent.id].sort());
  });
});
