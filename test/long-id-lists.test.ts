import { describe, expect, it } from "vitest";
import { as, createConversation, createWorld, expectError } from "./helpers/factories";

/** D1 binds at most 100 parameters a query: lists from a request are bound as one JSON value. */
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
    expect(
      (await admin.post(`${w.base}/teams/${team.id}/team_members`, { user_ids: [w.agent.id, w.admin.id] })).status,
    ).toBe(200);
    expectError(
      await admin.delete(`${w.base}/teams/${team.id}/team_members`, {
        user_ids: [...unknown.slice(0, 120), w.agent.id],
      }),
      422,
    );
    const members = await admin.get(`${w.base}/teams/${team.id}/team_members`);
    expect(members.body.map((m: { id: number }) => m.id).sort()).toEqual([w.admin.id, w.agent.id].sort());
  });

  it("set, filter by and remove 50 labels at once", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const labels = Array.from({ length: 50 }, (_, i) => `label-${i}`);
    const set = await as(w.admin).post(`${path}/labels`, { labels });
    expect(set.status).toBe(200);
    expect(set.body.payload).toHaveLength(50);
    const filtered = await as(w.admin).get(`${w.base}/conversations`, { labels: labels.join(","), status: "all" });
    expect(filtered.body.data.payload).toHaveLength(1);
    const cleared = await as(w.admin).post(`${path}/labels`, { labels: [] });
    expect(cleared.body.payload).toEqual([]);
    expect((await as(w.admin).get(`${path}/labels`)).body.payload).toEqual([]);
  });
});
