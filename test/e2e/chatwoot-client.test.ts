import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "./dev-server";

/**
 * A client written for Chatwoot's Application API, pointed at `npm run dev`: Chatwoot's
 * header, wrapped and flat bodies, string ids, multipart messages, trailing slashes, and
 * list queries that send every filter empty. It runs the help-centre article's flow.
 */
let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { api_access_token: server.credentials.token, ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe("a Chatwoot client runs the API-channel flow unchanged", () => {
  it(
    "contact → conversation → incoming messages → agent " + "reply and note → list → resolve → returning user",
    async () => {
      const { accountId, inboxId } = server.credentials;
      const base = `/api/v1/accounts/${accountId}`;

      const health = await fetch(`${server.url}/api`).then((r) => r.json());
      expect(health).toMatchObject({ queue_services: "ok", data_services: "ok" });

      const identifier = `app-user-${Date.now()}`;
      const contact = await call("POST", `${base}/contacts/`, {
        contact: { name: "Maya", email: `${identifier}@example.com`, identifier },
        inbox_id: String(inboxId),
      });
      expect(contact.status).toBe(200);
      const contactId = contact.body.payload.contact.id;
      expect(contact.body.payload.contact_inbox.source_id).toEqual(expect.any(String));

      const conversation = await call("POST", `${base}/conversations`, {
        inbox_id: String(inboxId),
        contact_id: String(contactId),
      });
      expect(conversation.status).toBe(200);
      const id = conversation.body.id;
      expect(conversation.body).toMatchObject({
        inbox_id: inboxId,
        status: "open",
        meta: { sender: { id: contactId } },
      });

      const json = await call("POST", `${base}/conversations/${id}/messages`, {
        content: "My card was charged twice",
        message_type: "incoming",
      });
      expect(json.body).toMatchObject({ message_type: 0, sender: { id: contactId, type: "contact" } });

      const form = new FormData();
      form.set("content", "Here is a screenshot");
      form.set("message_type", "incoming");
      form.set("private", "false");
      form.append("attachments[]", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "screenshot.png");
      const multipart = await call("POST", `${base}/conversations/${id}/messages`, form);
      expect(multipart.status).toBe(200);
      expect(multipart.body).toMatchObject({ message_type: 0, attachments: [{ file_type: "image", file_size: 3 }] });
      const file = await fetch(multipart.body.attachments[0].data_url);
      expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));

      const reply = await call(
        "POST",
        `${base}/conversations/${id}/messages`,
        { content: "Refunded, sorry about that!", message_type: "outgoing", private: false },
        { authorization: `Bearer ${server.credentials.token}` },
      );
      expect(reply.body).toMatchObject({ message_type: 1, private: false, sender: { type: "user" } });

      const noteForm = new FormData();
      noteForm.set("content", "Refund issued in Stripe");
      noteForm.set("private", "true");
      const note = await call("POST", `${base}/conversations/${id}/messages`, noteForm);
      expect(note.body).toMatchObject({ message_type: 1, private: true });

      const list = await call("GET", `${base}/conversations/${id}/messages`);
      expect(
        list.body.payload.map((m: { content: string; message_type: number }) => [m.message_type, m.content]),
      ).toEqual([
        // The demo inbox routes new conversations to its online agent.
        [2, "Assigned to Demo Admin by Automation System"],
        [0, "My card was charged twice"],
        [0, "Here is a screenshot"],
        [1, "Refunded, sorry about that!"],
        [1, "Refund issued in Stripe"],
      ]);
      expect(list.body.meta.contact.id).toBe(contactId);

      const index = await call(
        "GET",
        `${base}/conversations?assignee_type=all&status=open&page=1&q=&inbox_id=&team_id=&labels=`,
      );
      expect(index.status).toBe(200);
      expect(index.body.data.meta).toEqual(
        expect.objectContaining({ all_count: expect.any(Number), mine_count: expect.any(Number) }),
      );
      expect(index.body.data.payload.map((c: { id: number }) => c.id)).toContain(id);

      const resolved = await call("POST", `${base}/conversations/${id}/toggle_status`, { status: "resolved" });
      expect(resolved.body).toEqual({
        meta: {},
        payload: { success: true, conversation_id: id, current_status: "resolved", snoozed_until: null },
      });

      // The same user comes back later: same contact, and their history is there.
      const again = await call("POST", `${base}/contacts`, { name: "Maya", identifier, inbox_id: inboxId });
      expect(again.body.payload.contact.id).toBe(contactId);
      const history = await call("GET", `${base}/contacts/${contactId}/conversations`);
      expect(history.body.payload.map((c: { id: number }) => c.id)).toContain(id);

      const unauthorized = await fetch(`${server.url}${base}/conversations`, {
        headers: { api_access_token: "wrong" },
      });
      expect(unauthorized.status).toBe(401);
      expect(await unauthorized.json()).toMatchObject({ error: "Invalid Access Token" });
    },
  );
});
