import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { as, createConversation, createWorld, platform } from "./helpers/factories";

/**
 * The conversation list's four counts are read from counter rows that triggers keep in step
 * with every write to conversations. Whatever happens to an account's conversations, the rows
 * must say what counting the conversations says.
 */
async function drift(accountId: number) {
  const [counted, kept] = await env.DB.batch([
    env.DB.prepare(
      `select inbox_id, status, coalesce(assignee_id, 0) assignee_id, count(*) n from conversations
       where account_id = ? group by 1, 2, 3 order by 1, 2, 3`,
    ).bind(accountId),
    env.DB.prepare(
      `select inbox_id, status, assignee_id, count n from conversation_counts
       where account_id = ? and count <> 0 order by 1, 2, 3`,
    ).bind(accountId),
  ]);
  return { counted: counted.results, kept: kept.results };
}

describe("conversation counts", () => {
  it("stay equal to counting the conversations through creates, changes and every kind of delete", async () => {
    const w = await createWorld();
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await createConversation(w));
    const [a, b, c, d] = made;
    await as(w.admin).post(`${a.path}/assignments`, { assignee_id: w.agent.id });
    await as(w.admin).post(`${b.path}/assignments`, { assignee_id: w.admin.id });
    await as(w.admin).post(`${b.path}/toggle_status`, { status: "resolved" });
    await as(w.admin).post(`${c.path}/toggle_status`, { status: "snoozed", snoozed_until: 4_000_000_000 });
    await as(w.admin).post(`${a.path}/assignments`, { assignee_id: null });
    // Another inbox: its conversations go when it is deleted (a cascade).
    const other = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: d.contact.id,
    });
    expect(other.status).toBe(200);
    let now = await drift(w.account.id);
    expect(now.kept).toEqual(now.counted);

    // A contact's deletion takes its conversations; an agent leaving the account is unassigned.
    expect((await as(w.admin).delete(`${w.base}/contacts/${d.contact.id}`)).status).toBe(200);
    await as(w.admin).post(`${c.path}/assignments`, { assignee_id: w.agent.id });
    expect(
      (
        await platform().delete(`/platform/api/v1/accounts/${w.account.id}/account_users`, {
          user_id: w.agent.id,
        })
      ).status,
    ).toBe(200);
    expect((await as(w.admin).delete(`${w.base}/inboxes/${w.otherInbox.id}`)).status).toBe(200);
    now = await drift(w.account.id);
    expect(now.kept).toEqual(now.counted);
    expect(now.counted.length).toBeGreaterThan(0);

    const listed = await as(w.admin).get(`${w.base}/conversations/meta`, { status: "all" });
    const total = (now.counted as { n: number }[]).reduce((sum, r) => sum + Number(r.n), 0);
    expect(listed.body.meta.all_count).toBe(total);
  });

  it("count only what an agent may see, and match the filtered count of one inbox", async () => {
    const w = await createWorld();
    await createConversation(w);
    await createConversation(w, { assignee_id: w.agent.id });
    const hidden = await as(w.admin).post(`${w.base}/conversations`, {
      inbox_id: w.otherInbox.id,
      contact_id: (await createConversation(w)).contact.id,
    });
    expect(hidden.status).toBe(200);
    const agent = (await as(w.agent).get(`${w.base}/conversations/meta`, { status: "open" })).body.meta;
    expect(agent).toEqual({ mine_count: 1, assigned_count: 1, unassigned_count: 2, all_count: 3 });
    const admin = (await as(w.admin).get(`${w.base}/conversations/meta`, { status: "open" })).body.meta;
    expect(admin.all_count).toBe(4);
    const inbox = (await as(w.admin).get(`${w.base}/conversations/meta`, { inbox_id: String(w.otherInbox.id) })).body
      .meta;
    expect(inbox.all_count).toBe(1);
  });
});
