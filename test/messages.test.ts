import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { as, createConversation, createWorld, expectError } from "./helpers/factories";
import { api } from "./helpers/api";

const count = async (conversationId: number, accountId: number) => {
  const { results } = await env.DB.prepare(
    "select count(*) n from messages where conversation_id = (select " +
      "id from conversations where account_id = ? and display_id = ?)",
  )
    .bind(accountId, conversationId)
    .all<{ n: number }>();
  return results[0].n;
};

describe("messages: happy path", () => {
  it("runs the API-channel flow: incoming message, agent reply, private note, list, resolve", async () => {
    const w = await createWorld();
    const { conversation, contact, path } = await createConversation(w);

    const incoming = await as(w.admin).post(`${path}/messages`, {
      content: "My order is late",
      message_type: "incoming",
      source_id: "app-msg-1",
    });
    expect(incoming.status).toBe(200);
    expect(incoming.body).toMatchObject({
      content: "My order is late",
      message_type: 0,
      content_type: "text",
      status: "sent",
      private: false,
      conversation_id: conversation.id,
      source_id: "app-msg-1",
      sender: { id: contact.id, type: "contact" },
      attachments: [],
    });
    expect(Number.isInteger(incoming.body.created_at)).toBe(true);

    const reply = await as(w.agent).post(`${path}/messages`, { content: "Sorry! It ships today.", echo_id: "e-1" });
    expect(reply.body).toMatchObject({
      message_type: 1,
      sender: { id: w.agent.id, type: "user", name: "Agent", availability_status: "online" },
      echo_id: "e-1",
    });
    const note = await as(w.agent).post(`${path}/messages`, { content: "Check the warehouse", private: true });
    expect(note.body).toMatchObject({ message_type: 1, private: true });

    const list = await as(w.agent).get(`${path}/messages`);
    expect(list.status).toBe(200);
    expect(list.body.payload.map((m: any) => m.content)).toEqual([
      "My order is late",
      "Sorry! It ships today.",
      "Check the warehouse",
    ]);
    expect(list.body.meta).toMatchObject({ labels: [], contact: { id: contact.id, type: "contact" }, assignee: null });

    const shown = await as(w.agent).get(path);
    expect(shown.body.last_non_activity_message).toMatchObject({
      content: "Check the warehouse",
      sender: { availability_status: "online" },
    });
    expect(list.body.payload[1].sender).toMatchObject({ id: w.agent.id, availability_status: "online" });
    expect(shown.body.first_reply_created_at).toBeGreaterThan(0);
    expect(shown.body.waiting_since).toBe(0);

    const resolved = await as(w.agent).post(`${path}/toggle_status`, { status: "resolved" });
    expect(resolved.body.payload.current_status).toBe("resolved");
    const after = await as(w.agent).get(`${path}/messages`);
    expect(after.body.payload.at(-1)).toMatchObject({
      message_type: 2,
      content: "Conversation was marked resolved by Agent",
    });
  });

  it("accepts multipart bodies: string booleans, JSON-string objects", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const form = new FormData();
    form.set("content", "Choose one");
    form.set("private", "false");
    form.set("content_type", "input_select");
    form.set(
      "content_attributes",
      JSON.stringify({
        items: [
          { title: "Yes", value: "yes" },
          { title: "No", value: "no" },
        ],
      }),
    );
    const res = await api("POST", `${path}/messages`, form, { token: w.admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      content_type: "input_select",
      private: false,
      content_attributes: {
        items: [
          { title: "Yes", value: "yes" },
          { title: "No", value: "no" },
        ],
      },
    });

    const incoming = new FormData();
    incoming.set("content", "hello from a form");
    incoming.set("message_type", "incoming");
    const inRes = await api("POST", `${path}/messages`, incoming, { token: w.admin.token });
    expect(inRes.body.message_type).toBe(0);
  });

  it("pages with before and after", async () => {
    const w = await createWorld();
    const { path, conversation } = await createConversation(w);
    for (let i = 1; i <= 25; i++)
      await as(w.admin).post(`${path}/messages`, { content: `m${i}`, message_type: i % 2 ? "incoming" : "outgoing" });
    const latest = await as(w.admin).get(`${path}/messages`);
    expect(latest.body.payload).toHaveLength(20);
    expect(latest.body.payload[0].content).toBe("m6");
    expect(latest.body.payload[19].content).toBe("m25");
    const older = await as(w.admin).get(`${path}/messages`, { before: String(latest.body.payload[0].id) });
    expect(older.body.payload.map((m: any) => m.content)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    const newer = await as(w.admin).get(`${path}/messages`, { after: String(older.body.payload[2].id) });
    expect(newer.body.payload[0].content).toBe("m4");
    expect(newer.body.payload).toHaveLength(22);
    const between = await as(w.admin).get(`${path}/messages`, {
      after: String(older.body.payload[0].id),
      before: String(older.body.payload[3].id),
    });
    expect(between.body.payload.map((m: any) => m.content)).toEqual(["m2", "m3"]);
    expect(await count(conversation.id, w.account.id)).toBe(25);
  });

  it("soft-deletes and updates delivery status for API inboxes", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const reply = await as(w.agent).post(`${path}/messages`, { content: "Here is your code: 1234" });
    const id = reply.body.id;
    const delivered = await as(w.agent).patch(`${path}/messages/${id}`, { status: "delivered" });
    expect(delivered.body.status).toBe("delivered");
    const read = await as(w.agent).patch(`${path}/messages/${id}`, { status: "read" });
    expect(read.body.status).toBe("read");
    const backwards = await as(w.agent).patch(`${path}/messages/${id}`, { status: "delivered" });
    expect(backwards.status).toBe(200);
    expect(backwards.body.status).toBe("read");
    const failed = await as(w.agent).patch(`${path}/messages/${id}`, {
      status: "failed",
      external_error: "device unreachable",
    });
    expect(failed.body).toMatchObject({
      status: "failed",
      content_attributes: { external_error: "device unreachable" },
    });

    const deleted = await as(w.agent).delete(`${path}/messages/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      id,
      content: "This message was deleted",
      content_attributes: { deleted: true },
    });
    const list = await as(w.agent).get(`${path}/messages`);
    expect(list.body.payload.find((m: any) => m.id === id).content).toBe("This message was deleted");
  });
});

describe("messages: errors", () => {
  it("refuses bad messages with 4xx and stores nothing", async () => {
    const w = await createWorld();
    const { path, conversation } = await createConversation(w);
    expectError(await as(w.admin).post(`${path}/messages`, { content: "x".repeat(150_001) }), 422, /too long/);
    expectError(await as(w.admin).post(`${path}/messages`, { content: "x", message_type: "activity" }), 422);
    expectError(await as(w.admin).post(`${path}/messages`, { content: "" }), 422);
    expectError(await as(w.admin).post(`${path}/messages`, { content: "x", private: "maybe" }), 422);
    expectError(await as(w.admin).post(`${path}/messages`, { content: "pick", content_type: "input_select" }), 422);
    expectError(await as(w.admin).post(`${path}/messages`, { content: "x", content_attributes: "{not json" }), 422);
    expectError(
      await api("POST", `${path}/messages`, undefined, {
        token: w.admin.token,
        raw: '{"content":',
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    expectError(
      await api("POST", `${path}/messages`, undefined, {
        token: w.admin.token,
        raw: "<xml/>",
        headers: { "content-type": "application/xml" },
      }),
      415,
    );
    // A binary body of another type is refused for its type, not for its bytes.
    const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x81]);
    expectError(
      await api("POST", `${path}/messages`, undefined, {
        token: w.admin.token,
        raw: binary,
        headers: { "content-type": "application/octet-stream" },
      }),
      415,
    );
    expectError(
      await api("POST", `${path}/messages`, undefined, {
        token: w.admin.token,
        raw: binary,
        headers: { "content-type": "application/json" },
      }),
      400,
      "The request body is not valid UTF-8",
    );
    expect(await count(conversation.id, w.account.id)).toBe(0);
    expect((await as(w.admin).post(`${path}/messages`, { content: "x".repeat(150_000) })).status).toBe(200);
  });

  it("answers unknown messages and conversations with 404", async () => {
    const w = await createWorld();
    const a = await createConversation(w);
    const b = await createConversation(w);
    const m = await as(w.admin).post(`${a.path}/messages`, { content: "in a" });
    expectError(
      await as(w.admin).patch(`${b.path}/messages/${m.body.id}`, { status: "read" }),
      404,
      "Message not found",
    );
    expectError(await as(w.admin).delete(`${b.path}/messages/${m.body.id}`), 404, "Message not found");
    expectError(await as(w.admin).patch(`${a.path}/messages/${m.body.id}`, { status: "seen" }), 422);
    expectError(await as(w.admin).get(`${w.base}/conversations/999/messages`), 404, "Conversation not found");
  });
});

describe("messages: security", () => {
  it("keeps agents out of other inboxes and other accounts", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    const hidden = await createConversation(w, { inbox_id: w.otherInbox.id });
    const m = await as(w.admin).post(`${hidden.path}/messages`, { content: "secret" });
    expectError(await as(w.agent).get(`${hidden.path}/messages`), 404, "Conversation not found");
    expectError(await as(w.agent).post(`${hidden.path}/messages`, { content: "hi" }), 404);
    expectError(await as(w.agent).delete(`${hidden.path}/messages/${m.body.id}`), 404);
    expectError(await as(other.admin).get(`${hidden.path}/messages`), 404, "Account not found");
    const own = await createConversation(other);
    expectError(await as(other.admin).delete(`${own.path}/messages/${m.body.id}`), 404, "Message not found");
    expectError(await api("POST", `${hidden.path}/messages`, { content: "x" }), 401);
    const list = await as(w.admin).get(`${hidden.path}/messages`);
    expect(list.body.payload.map((x: any) => x.content)).toEqual(["secret"]);
  });
});

describe("messages: attachments", () => {
  it("stores attachments[] parts and serves them at their data_url", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const form = new FormData();
    form.set("content", "Here is the receipt");
    form.set("message_type", "incoming");
    form.append(
      "attachments[]",
      new File([new Uint8Array([137, 80, 78, 71, 1, 2, 3])], "receipt.png", { type: "image/png" }),
    );
    form.append("attachments[]", new File(["col1,col2\n1,2\n"], "data.csv", { type: "text/csv" }));
    const res = await api("POST", `${path}/messages`, form, { token: w.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.attachments).toHaveLength(2);
    expect(res.body.attachments[0]).toMatchObject({
      file_type: "image",
      extension: "png",
      content_type: "image/png",
      file_size: 7,
      message_id: res.body.id,
    });
    expect(res.body.attachments[1]).toMatchObject({ file_type: "file", extension: "csv" });

    const listed = await as(w.admin).get(`${path}/messages`);
    expect(listed.body.payload[0].attachments.map((a: any) => a.id)).toEqual(
      res.body.attachments.map((a: any) => a.id),
    );

    // The data_url is a signed link: its path and query together are the credential.
    const linkOf = (a: { data_url: string }) => {
      const url = new URL(a.data_url);
      return url.pathname + url.search;
    };
    expect(res.body.attachments[1].data_url).toMatch(
      new RegExp(`/attachments/${w.account.id}/\\w+/data\\.csv\\?expires=\\d+&signature=[0-9a-f]{64}$`),
    );
    const file = await api("GET", linkOf(res.body.attachments[1]));
    expect(file.status).toBe(200);
    expect(file.text).toBe("col1,col2\n1,2\n");
    expect(file.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(file.headers.get("content-security-policy")).toBe("sandbox");
    const png = await api("GET", linkOf(res.body.attachments[0]));
    expect(png.headers.get("content-type")).toBe("image/png");
    // Without its signature the same path serves nothing.
    expectError(await api("GET", new URL(res.body.attachments[1].data_url).pathname), 403);

    await as(w.admin).delete(`${path}/messages/${res.body.id}`);
    expectError(await api("GET", linkOf(res.body.attachments[1])), 404, "Attachment not found");
  });

  it("refuses oversize files (413) and more than 15 (422), storing nothing", async () => {
    const w = await createWorld();
    const { path, conversation } = await createConversation(w);
    const big = new FormData();
    big.set("content", "too big");
    big.append("attachments[]", new File(["small"], "small.txt"));
    big.append("attachments[]", new File([new Uint8Array(40 * 1024 * 1024 + 1)], "big.bin"));
    const refused = await api("POST", `${path}/messages`, big, { token: w.admin.token });
    expectError(refused, 413, /big\.bin is too large/);
    expect(refused.body.details).toEqual([{ field: "attachments.1", message: "is too large" }]);
    const many = new FormData();
    many.set("content", "too many");
    for (let i = 0; i < 16; i++) many.append("attachments[]", new File(["x"], `f${i}.txt`));
    expectError(await api("POST", `${path}/messages`, many, { token: w.admin.token }), 422);
    expect(await count(conversation.id, w.account.id)).toBe(0);
    expect((await env.ATTACHMENTS.list({ prefix: `a/${w.account.id}/` })).objects).toEqual([]);
    // An old unsigned link (key and file name only) answers 404 like any unknown path.
    expectError(await api("GET", "/attachments/123456789ABCDEFGHJKLMNPQRSTUVWXYZa/x.txt"), 404);
  });
});
