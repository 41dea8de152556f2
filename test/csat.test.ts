import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { inboxes, messages } from "../src/db/schema";
import { ratingsQuery, responsesQuery, sentQuery } from "../src/services/csat";
import { as, createConversation, createWorld, expectError, testDb, type World } from "./helpers/factories";
import { client, ok, startConversation } from "./helpers/public-client";
import { receiver } from "./helpers/receiver";
import type { ApiResponse } from "./helpers/api";

const SURVEY = "Please rate this conversation";

async function csatOn(w: World, inboxId = w.inbox.id) {
  ok(await as(w.admin).patch(`${w.base}/inboxes/${inboxId}`, { csat_survey_enabled: true }));
}

/** The conversation's messages as the agents' API lists them. */
const thread = async (w: World, displayId: number) =>
  (await as(w.admin).get(`${w.base}/conversations/${displayId}/messages`)).body.payload as {
    id: number;
    content: string;
    content_type: string;
    message_type: number;
    content_attributes: Record<string, any>;
    sender?: unknown;
  }[];
const surveysIn = async (w: World, displayId: number) =>
  (await thread(w, displayId)).filter((m) => m.content_type === "input_csat");

const count = async (query: string, ...params: unknown[]) =>
  (await env.DB.prepare(query)
    .bind(...params)
    .first<{ n: number }>())!.n;

/** A contact's conversation (client API), resolved by an agent with CSAT on: the survey is posted. */
async function surveyed(w: World, assignee?: number) {
  const c = client(w.inbox.identifier);
  const s = await startConversation(c);
  ok(await c.post(`${s.path}/messages`, { content: "My parcel is late" }));
  const agentPath = `${w.base}/conversations/${s.conversation.id}`;
  if (assignee) ok(await as(w.admin).post(`${agentPath}/assignments`, { assignee_id: assignee }));
  ok(await as(w.agent).post(`${agentPath}/toggle_status`, { status: "resolved" }));
  const [survey] = await surveysIn(w, s.conversation.id);
  const answer = (body: unknown) => c.patch(`${s.path}/messages/${survey.id}`, body);
  return { c, s, survey, agentPath, answer };
}

const rate = (rating: unknown, feedback_message?: unknown) => ({
  submitted_values: {
    csat_survey_response: { rating, ...(feedback_message === undefined ? {} : { feedback_message }) },
  },
});

function roundTrips(res: ApiResponse): number {
  const match = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips"/);
  if (!match) throw new Error(`no d1 Server-Timing (status ${res.status})`);
  return Number(match[1]);
}

describe("CSAT: the survey on resolve", () => {
  it("posts one input_csat template message from the inbox when a conversation is resolved", async () => {
    const w = await createWorld();
    await csatOn(w);
    const { conversation, path } = await createConversation(w, { assignee_id: w.agent.id });
    ok(await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" }));
    const list = await thread(w, conversation.id);
    const survey = list.at(-1)!;
    expect(survey).toMatchObject({
      content: SURVEY,
      content_type: "input_csat",
      message_type: 3,
      private: false,
      content_attributes: { display_type: "emoji", assigned_agent_id: w.agent.id },
    });
    expect(survey.sender).toBeUndefined();
    expect(list.at(-2)).toMatchObject({ message_type: 2, content: "Conversation was marked resolved by Agent" });
    // The conversation list shows it as the latest message.
    expect((await as(w.admin).get(path)).body.last_non_activity_message).toMatchObject({ id: survey.id });

    // Reopened and resolved again: Chatwoot sends one survey per conversation.
    ok(await as(w.agent).post(`${path}/toggle_status`, { status: "open" }));
    ok(await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" }));
    expect(await surveysIn(w, conversation.id)).toHaveLength(1);
    const created = await count(
      "select count(*) n from events where event = 'message_created' and message_id = ?",
      survey.id,
    );
    expect(created).toBe(1);
  });

  it("posts none when the inbox has CSAT off, or for other status changes", async () => {
    const w = await createWorld();
    const off = await createConversation(w);
    ok(await as(w.agent).post(`${off.path}/toggle_status`, { status: "resolved" }));
    expect(await surveysIn(w, off.conversation.id)).toEqual([]);

    await csatOn(w);
    const on = await createConversation(w);
    for (const status of ["pending", "snoozed", "open"])
      ok(await as(w.agent).post(`${on.path}/toggle_status`, { status }));
    expect(await surveysIn(w, on.conversation.id)).toEqual([]);
  });

  it("posts it when the contact resolves through the client API, seen by the contact", async () => {
    const w = await createWorld();
    await csatOn(w);
    const c = client(w.inbox.identifier);
    const s = await startConversation(c);
    expect(ok(await c.post(`${s.path}/toggle_status`)).status).toBe("resolved");
    const shown = ok(await c.get(`${s.path}/messages`)) as { content_type: string; message_type: number }[];
    expect(shown.filter((m) => m.content_type === "input_csat")).toEqual([
      expect.objectContaining({ content: SURVEY, message_type: 3 }),
    ]);
  });

  it("costs a resolve no extra round trip", async () => {
    const w = await createWorld();
    const plain = await createConversation(w);
    const without = roundTrips(await as(w.agent).post(`${plain.path}/toggle_status`, { status: "resolved" }));
    await csatOn(w);
    const surveyedOne = await createConversation(w);
    const withSurvey = roundTrips(await as(w.agent).post(`${surveyedOne.path}/toggle_status`, { status: "resolved" }));
    expect(await surveysIn(w, surveyedOne.conversation.id)).toHaveLength(1);
    expect(withSurvey).toBe(without);
  });

  it("delivers the survey to the inbox's webhook_url as message_created (message_type template)", async () => {
    const w = await createWorld();
    await csatOn(w);
    const hook = receiver("csat");
    await testDb().update(inboxes).set({ webhookUrl: hook.url }).where(eq(inboxes.id, w.inbox.id));
    const { survey, s } = await surveyed(w, w.agent.id);
    const body = await vi.waitFor(
      async () => {
        const got = (await hook.requests()).map((r) => JSON.parse(r.body)).filter((b) => b.id === survey.id);
        if (!got.length) throw new Error("nothing yet");
        return got[0];
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(body).toMatchObject({
      event: "message_created",
      id: survey.id,
      content: SURVEY,
      content_type: "input_csat",
      message_type: "template",
      private: false,
      content_attributes: { display_type: "emoji", assigned_agent_id: w.agent.id },
      inbox: { id: w.inbox.id },
      conversation: { id: s.conversation.id, status: "resolved" },
    });
  });
});

describe("CSAT: the contact's answer", () => {
  it("stores the answer, shows it in the report and metrics, and updates it on a second answer", async () => {
    const w = await createWorld();
    await csatOn(w);
    const { survey, s, answer } = await surveyed(w, w.agent.id);
    const answered = ok(await answer(rate(4, "Quick, thanks")));
    expect(answered.content_attributes).toMatchObject({
      display_type: "emoji",
      submitted_values: { csat_survey_response: { rating: 4, feedback_message: "Quick, thanks" } },
    });
    const updated = await count(
      "select count(*) n from events where event = 'message_updated' and message_id = ?",
      survey.id,
    );
    expect(updated).toBe(1);

    const list = await as(w.admin).get(`${w.base}/csat_survey_responses`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      {
        id: expect.any(Number),
        rating: 4,
        feedback_message: "Quick, thanks",
        account_id: w.account.id,
        message_id: survey.id,
        contact: expect.objectContaining({ id: s.contact.id, name: "Maya" }),
        conversation_id: s.conversation.id,
        assigned_agent: expect.objectContaining({ id: w.agent.id, name: "Agent", role: "agent" }),
        inbox_id: w.inbox.id,
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      },
    ]);

    // A second answer (the widget sends the rating, then the feedback) updates the same row.
    ok(await answer(rate("2")));
    const again = (await as(w.admin).get(`${w.base}/csat_survey_responses`)).body;
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: list.body[0].id, rating: 2, feedback_message: null });
    expect(await count("select count(*) n from csat_survey_responses where message_id = ?", survey.id)).toBe(1);

    const metrics = await as(w.admin).get(`${w.base}/csat_survey_responses/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toEqual({
      total_count: 1,
      ratings_count: { "1": 0, "2": 1, "3": 0, "4": 0, "5": 0 },
      total_sent_messages_count: 1,
      satisfaction_score: 0,
      response_rate: 100,
      average_rating: 2,
    });
  });

  it("computes the scores over answers and surveys sent, and filters by inbox, agent and time", async () => {
    const w = await createWorld();
    await csatOn(w);
    await csatOn(w, w.otherInbox.id);
    const a = await surveyed(w, w.agent.id);
    const b = await surveyed(w, w.admin.id);
    await surveyed(w, w.agent.id); // sent, never answered
    ok(await a.answer(rate(5)));
    ok(await b.answer(rate(3, "ok")));
    // A survey in the other inbox (agents create conversations there as administrators).
    const other = await createConversation(w, { inbox_id: w.otherInbox.id });
    ok(await as(w.admin).post(`${other.path}/toggle_status`, { status: "resolved" }));

    const metrics = (query: Record<string, string> = {}) =>
      as(w.admin)
        .get(`${w.base}/csat_survey_responses/metrics`, query)
        .then((r) => r.body);
    expect(await metrics()).toEqual({
      total_count: 2,
      ratings_count: { "1": 0, "2": 0, "3": 1, "4": 0, "5": 1 },
      total_sent_messages_count: 4,
      satisfaction_score: 50,
      response_rate: 50,
      average_rating: 4,
    });
    expect(await metrics({ inbox_id: String(w.inbox.id) })).toMatchObject({
      total_count: 2,
      total_sent_messages_count: 3,
      response_rate: 66.67,
    });
    expect(await metrics({ "user_ids[]": String(w.agent.id) })).toMatchObject({
      total_count: 1,
      ratings_count: { "5": 1 },
      total_sent_messages_count: 2,
      satisfaction_score: 100,
    });
    const list = (query: Record<string, string>) =>
      as(w.admin)
        .get(`${w.base}/csat_survey_responses`, query)
        .then((r) => (r.body as { rating: number }[]).map((x) => x.rating));
    expect(await list({ user_ids: `${w.admin.id}` })).toEqual([3]);
    expect(await list({ user_ids: `${w.admin.id},${w.agent.id}` })).toEqual([3, 5]);
    const now = Math.floor(Date.now() / 1000);
    expect(await list({ since: String(now - 3600), until: String(now + 60) })).toEqual([3, 5]);
    expect(await list({ since: String(now + 3600) })).toEqual([]);
    expect(await list({ until: String(now - 3600) })).toEqual([]);
    expect(await list({ page: "2" })).toEqual([]);
    // Empty filters are no filters (clients send every filter).
    expect(await list({ since: "", until: "", inbox_id: "", user_ids: "" })).toEqual([3, 5]);
    expect(await metrics({ since: String(now + 3600) })).toMatchObject({
      total_count: 0,
      total_sent_messages_count: 0,
      satisfaction_score: 0,
      response_rate: 0,
      average_rating: null,
    });
  });

  it("refuses a bad answer with 422 and writes nothing", async () => {
    const w = await createWorld();
    await csatOn(w);
    const { survey, answer, c, s, agentPath } = await surveyed(w);
    const bad: [unknown, string][] = [
      [rate(0), "Rating must be an integer from 1 to 5"],
      [rate(6), "Rating must be an integer from 1 to 5"],
      [rate(2.5), "Rating must be an integer from 1 to 5"],
      [rate("great"), "Rating must be an integer from 1 to 5"],
      [rate(null), "Rating must be an integer from 1 to 5"],
      [rate(5, 42), "Feedback message must be a string"],
      [rate(5, "x".repeat(10_001)), "Feedback message is too long (maximum is 10000 characters)"],
      [{ submitted_values: {} }, "A CSAT answer needs csat_survey_response with a rating"],
      [
        { submitted_values: [{ title: "Yes", value: "yes" }] },
        "A CSAT answer needs csat_survey_response with a rating",
      ],
    ];
    for (const [body, message] of bad) expectError(await answer(body), 422, message);
    // The route's own schema refuses the body's top-level csat_survey_response out of range.
    const top = await answer({ submitted_values: {}, csat_survey_response: { rating: 9 } });
    expect(top.status).toBe(422);
    expect(top.body.details[0].field).toMatch(/csat_survey_response\.rating/);

    // Only a survey takes a CSAT answer.
    const select = ok(
      await as(w.agent).post(`${agentPath}/messages`, {
        content: "Pick one",
        content_type: "input_select",
        content_attributes: { items: [{ title: "Yes", value: "yes" }] },
      }),
    );
    expectError(
      await c.patch(`${s.path}/messages/${select.id}`, rate(5)),
      422,
      "Only a CSAT survey message (input_csat) takes csat_survey_response",
    );
    expect(await count("select count(*) n from csat_survey_responses where account_id = ?", w.account.id)).toBe(0);
    const [stored] = await surveysIn(w, s.conversation.id);
    expect(stored.id).toBe(survey.id);
    expect(stored.content_attributes.submitted_values).toBeUndefined();
  });

  it("refuses an answer after 14 days, as Chatwoot", async () => {
    const w = await createWorld();
    await csatOn(w);
    const { survey, answer } = await surveyed(w);
    ok(await answer(rate(5)));
    await testDb()
      .update(messages)
      .set({ createdAt: Date.now() - 15 * 86_400_000 })
      .where(eq(messages.id, survey.id));
    expectError(await answer(rate(1)), 422, "You cannot update the CSAT survey after 14 days");
    const [row] = (await as(w.admin).get(`${w.base}/csat_survey_responses`)).body;
    expect(row.rating).toBe(5);
  });

  it("lets no other session answer the survey", async () => {
    const w = await createWorld();
    await csatOn(w);
    const { survey } = await surveyed(w);
    const stranger = await startConversation(client(w.inbox.identifier));
    expectError(
      await client(w.inbox.identifier).patch(`${stranger.path}/messages/${survey.id}`, rate(1)),
      404,
      "Message not found",
    );
  });
});

describe("CSAT: who reads the report", () => {
  it("is for administrators only; another account's report is a 404 and never mixes in", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    await csatOn(w);
    await csatOn(other);
    ok(await (await surveyed(w, w.agent.id)).answer(rate(5)));
    ok(await (await surveyed(other, other.agent.id)).answer(rate(1)));

    for (const path of ["", "/metrics"]) {
      const route = `${w.base}/csat_survey_responses${path}`;
      expectError(await as(w.agent).get(route), 403);
      expectError(await as(w.outsider).get(route), 403);
      expectError(await as({ token: "nope" }).get(route), 401, "Invalid Access Token");
      expectError(await as(other.admin).get(route), 404, "Account not found");
    }
    const mine = (await as(w.admin).get(`${w.base}/csat_survey_responses`)).body;
    expect(mine.map((r: { rating: number }) => r.rating)).toEqual([5]);
    expect((await as(w.admin).get(`${w.base}/csat_survey_responses/metrics`)).body.total_count).toBe(1);
    // Another account's inbox or agent as a filter finds nothing of theirs.
    const foreign = await as(w.admin).get(`${w.base}/csat_survey_responses`, { inbox_id: String(other.inbox.id) });
    expect(foreign.body).toEqual([]);
  });

  it("answers 422 for malformed filters", async () => {
    const w = await createWorld();
    const route = `${w.base}/csat_survey_responses`;
    const malformed: Record<string, string>[] = [
      { since: "yesterday" },
      { inbox_id: "-1" },
      { user_ids: "a,b" },
      { page: "0" },
    ];
    for (const query of malformed) expectError(await as(w.admin).get(route, query), 422);
    expectError(await as(w.admin).get(`${route}/metrics`, { since: "200", until: "100" }), 422);
  });
});

describe("CSAT: query plans", () => {
  async function plan(q: { toSQL(): { sql: string; params: unknown[] } }) {
    const { sql: text, params } = q.toSQL();
    const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
      .bind(...params)
      .all<{ detail: string }>();
    return rows.results.map((r) => r.detail);
  }
  const scans = (lines: string[]) =>
    lines.filter((l) => /^SCAN /.test(l) && !/USING (COVERING )?INDEX|^SCAN json_each/.test(l));

  it("reads the report through the account's index, and counts surveys through the partial survey index", async () => {
    const db = testDb();
    const f = { since: 1, until: 2_000_000_000, inboxId: 1, userIds: [1, 2] };
    const list = await plan(responsesQuery(db, 1, f));
    expect(list.join("\n")).toMatch(/csat_survey_responses_account_created_idx/);
    expect(scans(list)).toEqual([]);
    const ratings = await plan(ratingsQuery(db, 1, f));
    expect(ratings.join("\n")).toMatch(/csat_survey_responses_account_created_idx/);
    expect(scans(ratings)).toEqual([]);
    for (const filters of [f, {}]) {
      const sent = await plan(sentQuery(db, 1, filters));
      // Only survey messages are read: the partial index holds nothing else.
      expect(sent.join("\n")).toMatch(/SEARCH messages USING (COVERING )?INDEX messages_account_csat_idx/);
      expect(scans(sent)).toEqual([]);
    }
  });
});
