import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { mentionMarkup } from "../src/lib/mentions";
import { as, createContact, createConversation, createWorld, expectError, type World } from "./helpers/factories";

type Condition = {
  attribute_key: string;
  filter_operator: string;
  values?: unknown;
  query_operator?: string | null;
  custom_attribute_type?: string;
};

const filter = (w: World, who: { token: string }, payload: Condition[], page?: number) =>
  as(who).post(`${w.base}/conversations/filter${page ? `?page=${page}` : ""}`, { payload });

const ids = (res: { body: any }) => (res.body.payload as { id: number }[]).map((c) => c.id).sort((a, b) => a - b);

/** Three conversations in the agent's inbox and one in the back office (administrators only). */
async function world() {
  const w = await createWorld();
  const a = await createConversation(w, { custom_attributes: { plan: "Pro", seats: 12, trial: false } });
  const b = await createConversation(w, {
    assignee_id: w.agent.id,
    additional_attributes: { referer: "https://x.io/pricing" },
  });
  const c = await createConversation(w, { status: "pending", custom_attributes: { plan: "free", seats: 2 } });
  expect((await as(w.admin).post(`${b.path}/labels`, { labels: ["billing", "vip"] })).status).toBe(200);
  expect((await as(w.admin).post(`${c.path}/toggle_priority`, { priority: "urgent" })).status).toBe(200);
  const back = await as(w.admin).post(`${w.base}/conversations`, {
    inbox_id: w.otherInbox.id,
    contact_id: (await createContact(w, { name: "Back Office Bob", email: "bob@back.example" })).contact.id,
  });
  expect(back.status).toBe(200);
  return { w, a: a.conversation.id, b: b.conversation.id, c: c.conversation.id, back: back.body.id as number };
}

describe("POST /conversations/filter", () => {
  it("filters by Chatwoot's attributes and operators, with its envelope and counts", async () => {
    const { w, a, b, c, back } = await world();
    const open = await filter(w, w.admin, [{ attribute_key: "status", filter_operator: "equal_to", values: ["open"] }]);
    expect(open.status).toBe(200);
    expect(Object.keys(open.body).sort()).toEqual(["meta", "payload"]);
    expect(ids(open)).toEqual([a, b, back]);
    expect(open.body.meta).toEqual({ mine_count: 0, assigned_count: 1, unassigned_count: 2, all_count: 3 });
    expect(open.body.payload[0]).toMatchObject({ id: expect.any(Number), meta: { sender: { type: "contact" } } });

    const cases: [Condition[], number[]][] = [
      [[{ attribute_key: "status", filter_operator: "equal_to", values: ["all"] }], [a, b, c, back]],
      [[{ attribute_key: "status", filter_operator: "not_equal_to", values: ["open"] }], [c]],
      [[{ attribute_key: "assignee_id", filter_operator: "equal_to", values: [w.agent.id] }], [b]],
      [
        [{ attribute_key: "assignee_id", filter_operator: "equal_to", values: [{ id: w.agent.id, name: "Agent" }] }],
        [b],
      ],
      [[{ attribute_key: "assignee_id", filter_operator: "not_equal_to", values: [w.agent.id] }], [a, c, back]],
      [[{ attribute_key: "assignee_id", filter_operator: "is_not_present" }], [a, c, back]],
      [[{ attribute_key: "inbox_id", filter_operator: "equal_to", values: [String(w.otherInbox.id)] }], [back]],
      [[{ attribute_key: "team_id", filter_operator: "is_present", values: [] }], []],
      [[{ attribute_key: "priority", filter_operator: "equal_to", values: ["urgent"] }], [c]],
      [[{ attribute_key: "display_id", filter_operator: "equal_to", values: [a, c] }], [a, c]],
      [[{ attribute_key: "labels", filter_operator: "equal_to", values: ["vip"] }], [b]],
      [[{ attribute_key: "labels", filter_operator: "is_not_present" }], [a, c, back]],
      [[{ attribute_key: "labels", filter_operator: "not_equal_to", values: ["vip"] }], [a, c, back]],
      [[{ attribute_key: "created_at", filter_operator: "is_greater_than", values: ["2020-01-01"] }], [a, b, c, back]],
      [[{ attribute_key: "created_at", filter_operator: "is_less_than", values: ["2020-01-01"] }], []],
      [[{ attribute_key: "last_activity_at", filter_operator: "days_before", values: [3] }], []],
      [[{ attribute_key: "referer", filter_operator: "contains", values: ["PRICING"] }], [b]],
      [[{ attribute_key: "contact_name", filter_operator: "contains", values: ["office b"] }], [back]],
      [[{ attribute_key: "contact_email", filter_operator: "equal_to", values: ["BOB@back.example"] }], [back]],
      [
        [
          {
            attribute_key: "plan",
            filter_operator: "equal_to",
            values: ["pro"],
            custom_attribute_type: "conversation_attribute",
          },
        ],
        [a],
      ],
      [
        [
          {
            attribute_key: "seats",
            filter_operator: "is_greater_than",
            values: [5],
            custom_attribute_type: "conversation_attribute",
          },
        ],
        [a],
      ],
      [
        [{ attribute_key: "plan", filter_operator: "is_not_present", custom_attribute_type: "conversation_attribute" }],
        [b, back],
      ],
      [
        [
          {
            attribute_key: "trial",
            filter_operator: "equal_to",
            values: [false],
            custom_attribute_type: "conversation_attribute",
          },
        ],
        [a],
      ],
      // AND binds tighter than OR: (pending AND urgent) OR assigned to the agent.
      [
        [
          { attribute_key: "status", filter_operator: "equal_to", values: ["pending"], query_operator: "AND" },
          { attribute_key: "priority", filter_operator: "equal_to", values: ["urgent"], query_operator: "or" },
          { attribute_key: "assignee_id", filter_operator: "equal_to", values: [w.agent.id], query_operator: null },
        ],
        [b, c],
      ],
      [
        [
          { attribute_key: "status", filter_operator: "equal_to", values: ["open"], query_operator: "AND" },
          { attribute_key: "inbox_id", filter_operator: "equal_to", values: [w.inbox.id] },
        ],
        [a, b],
      ],
    ];
    const failures: string[] = [];
    for (const [payload, expected] of cases) {
      const res = await filter(w, w.admin, payload);
      if (res.status !== 200 || JSON.stringify(ids(res)) !== JSON.stringify(expected))
        failures.push(
          `${JSON.stringify(payload)} → ${res.status} ${JSON.stringify(res.status === 200 ? ids(res) : res.body)}`,
        );
    }
    expect(failures).toEqual([]);
  });

  it("pages 25 at a time", async () => {
    const w = await createWorld();
    for (let i = 0; i < 26; i++) await createConversation(w);
    const all = [{ attribute_key: "status", filter_operator: "equal_to", values: ["open"] }];
    const first = await filter(w, w.admin, all);
    expect(first.body.payload).toHaveLength(25);
    expect(first.body.meta.all_count).toBe(26);
    expect((await filter(w, w.admin, all, 2)).body.payload).toHaveLength(1);
  });

  it("answers 422 for an unknown attribute or operator, a bad value, a missing join, too many conditions", async () => {
    const { w } = await world();
    const bad: [Condition[] | unknown, RegExp][] = [
      [
        [{ attribute_key: "colour", filter_operator: "equal_to", values: ["red"] }],
        /Invalid attribute key - \[colour\]/,
      ],
      [[{ attribute_key: "status", filter_operator: "contains", values: ["op"] }], /Invalid operator/],
      [[{ attribute_key: "status", filter_operator: "sounds_like", values: ["open"] }], /Invalid operator/],
      [[{ attribute_key: "status", filter_operator: "equal_to", values: ["closed"] }], /Invalid value/],
      [[{ attribute_key: "status", filter_operator: "equal_to", values: [] }], /Invalid value/],
      [[{ attribute_key: "assignee_id", filter_operator: "equal_to", values: ["me"] }], /Invalid value/],
      [[{ attribute_key: "created_at", filter_operator: "is_greater_than", values: ["yesterday"] }], /Invalid value/],
      [[{ attribute_key: "created_at", filter_operator: "days_before", values: [-1] }], /Invalid value/],
      [[{ attribute_key: "priority", filter_operator: "equal_to", values: ["asap"] }], /Invalid value/],
      [
        [
          {
            attribute_key: "a.b",
            filter_operator: "equal_to",
            values: ["x"],
            custom_attribute_type: "conversation_attribute",
          },
        ],
        /Invalid attribute key/,
      ],
      [
        [
          { attribute_key: "status", filter_operator: "equal_to", values: ["open"] },
          { attribute_key: "status", filter_operator: "equal_to", values: ["pending"] },
        ],
        /Invalid query operator/,
      ],
      [
        [
          { attribute_key: "status", filter_operator: "equal_to", values: ["open"], query_operator: "XOR" },
          { attribute_key: "status", filter_operator: "equal_to", values: ["pending"] },
        ],
        /Invalid query operator/,
      ],
      [[], /./],
      [
        Array.from({ length: 21 }, () => ({ attribute_key: "status", filter_operator: "equal_to", values: ["open"] })),
        /./,
      ],
      [[{ attribute_key: "status", filter_operator: "equal_to", values: Array(51).fill("open") }], /./],
      ["status = open", /./],
    ];
    for (const [payload, message] of bad) expectError(await filter(w, w.admin, payload as Condition[]), 422, message);
    expectError(await as(w.admin).post(`${w.base}/conversations/filter`, {}), 422);
    const detail = await filter(w, w.admin, [
      { attribute_key: "status", filter_operator: "equal_to", values: ["open"], query_operator: "AND" },
      { attribute_key: "colour", filter_operator: "equal_to", values: ["red"] },
    ]);
    expect(detail.body.details).toEqual([{ field: "payload.1.attribute_key", message: "is not an attribute" }]);
  });

  it("shows an agent only the conversations of their inboxes, and another account nothing", async () => {
    const { w, a, b, c } = await world();
    const other = await createWorld("Other");
    await createConversation(other);
    const all = [{ attribute_key: "status", filter_operator: "equal_to", values: ["all"] }];
    const agent = await filter(w, w.agent, all);
    expect(ids(agent)).toEqual([a, b, c]);
    expect(agent.body.meta).toEqual({ mine_count: 1, assigned_count: 1, unassigned_count: 2, all_count: 3 });
    // The back office's inbox named outright: still nothing for the agent; the outsider sees nothing at all.
    const back = [{ attribute_key: "inbox_id", filter_operator: "equal_to", values: [w.otherInbox.id] }];
    expect(ids(await filter(w, w.agent, back))).toEqual([]);
    expect(ids(await filter(w, w.outsider, all))).toEqual([]);
    // Another account's inbox id finds none of its conversations.
    expect(ids(await filter(w, w.admin, [{ ...back[0], values: [other.inbox.id] }]))).toEqual([]);
    expectError(await filter(w, other.admin, all), 404);
    expectError(await filter(w, { token: "nope" }, all), 401, "Invalid Access Token");
  });
});

describe("conversation_type on the list and its counts", () => {
  it("mention, participating and unattended, for the caller, with counts that follow", async () => {
    const w = await createWorld();
    const mentioned = await createConversation(w);
    const replied = await createConversation(w);
    const untouched = await createConversation(w);
    await as(w.admin).post(`${mentioned.path}/messages`, {
      content: `${mentionMarkup(w.agent.id, "Agent")} look`,
      private: true,
    });
    await as(w.agent).post(`${replied.path}/messages`, { content: "Hello!" });
    const list = (who: { token: string }, conversation_type: string) =>
      as(who).get(`${w.base}/conversations`, { status: "all", conversation_type });
    const listed = (res: { body: any }) => (res.body.data.payload as { id: number }[]).map((c) => c.id).sort();

    const mention = await list(w.agent, "mention");
    expect(listed(mention)).toEqual([mentioned.conversation.id]);
    expect(mention.body.data.meta).toEqual({ mine_count: 0, assigned_count: 0, unassigned_count: 1, all_count: 1 });
    expect(listed(await list(w.admin, "mention"))).toEqual([]);
    // The agent was mentioned (a participant) and replied; the administrator wrote the note.
    expect(listed(await list(w.agent, "participating"))).toEqual(
      [mentioned.conversation.id, replied.conversation.id].sort(),
    );
    expect(listed(await list(w.admin, "participating"))).toEqual([mentioned.conversation.id]);
    // A private note is no first reply: only the replied-to conversation is attended.
    const unattended = await list(w.admin, "unattended");
    expect(listed(unattended)).toEqual([mentioned.conversation.id, untouched.conversation.id].sort());
    const meta = await as(w.admin).get(`${w.base}/conversations/meta`, {
      status: "all",
      conversation_type: "unattended",
    });
    expect(meta.body.meta.all_count).toBe(2);
    // An incoming message makes the contact wait again.
    await as(w.admin).post(`${replied.path}/messages`, { content: "one more question", message_type: "incoming" });
    expect(listed(await list(w.admin, "unattended"))).toHaveLength(3);

    expectError(await list(w.admin, "starred"), 422);
    // Empty means no filter, as clients send every filter.
    expect((await list(w.admin, "")).body.data.meta.all_count).toBe(3);
  });

  it("keeps to the caller's visibility: a mention in an inbox the agent left is no longer listed", async () => {
    const w = await createWorld();
    const { conversation, path } = await createConversation(w);
    await as(w.admin).post(`${path}/messages`, { content: `${mentionMarkup(w.agent.id, "Agent")} hi`, private: true });
    const list = () => as(w.agent).get(`${w.base}/conversations`, { status: "all", conversation_type: "mention" });
    expect((await list()).body.data.payload.map((c: any) => c.id)).toEqual([conversation.id]);
    await env.DB.prepare("delete from inbox_members where inbox_id = ? and user_id = ?")
      .bind(w.inbox.id, w.agent.id)
      .run();
    expect((await list()).body.data).toEqual({
      meta: { mine_count: 0, assigned_count: 0, unassigned_count: 0, all_count: 0 },
      payload: [],
    });
  });
});
