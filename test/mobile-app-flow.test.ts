import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { inboxes } from "../src/db/schema";
import { hmacSha256Hex } from "../src/lib/crypto";
import { connect, until } from "./helpers/cable";
import { as, createWorld, testDb, unique } from "./helpers/factories";
import { client, ok } from "./helpers/public-client";
import { receiver } from "./helpers/receiver";

/**
 * The help-centre article's "mobile app support chat", end to end through the real worker, D1,
 * queue, Durable Object and an HTTP webhook receiver on 127.0.0.1.
 */
describe("the mobile app example, end to end", () => {
  it(
    "routes the user's message to an agent and brings the reply to the " +
      "webhook and the app's socket; the user comes back to the same history",
    async () => {
      const w = await createWorld("Mobile", { autoAssign: true });
      await testDb().update(inboxes).set({ hmacMandatory: true }).where(eq(inboxes.id, w.inbox.id));
      const hook = receiver("mobile");
      // The test receiver is on 127.0.0.1, which the production URL rule refuses: set it directly.
      await testDb().update(inboxes).set({ webhookUrl: hook.url }).where(eq(inboxes.id, w.inbox.id));
      const userId = unique("app-account");
      const identifierHash = await hmacSha256Hex(w.inbox.hmacToken, userId);

      // 1-2. The user taps "Contact support"; the app backend creates or retrieves the contact by
      // the user's account id (POST /api/v1/profile, as the article says), verified with the HMAC.
      const profile = ok(
        await as(w.agent).post("/api/v1/profile", {
          inbox_identifier: w.inbox.identifier,
          identifier: userId,
          identifier_hash: identifierHash,
          name: "Ines",
        }),
      );
      expect(profile).toMatchObject({
        identifier: userId,
        hmac_verified: true,
        source_id: expect.any(String),
        pubsub_token: expect.any(String),
      });

      // The app connects its socket with the session's pubsub_token.
      const socket = await connect({ pubsub_token: profile.pubsub_token });

      // 3. The app opens a conversation in the API inbox and posts the first message (client API).
      const app = client(w.inbox.identifier);
      const conversation = ok(await app.post(`/contacts/${profile.source_id}/conversations`));
      const path = `/contacts/${profile.source_id}/conversations/${conversation.id}`;
      const first = ok(await app.post(`${path}/messages`, { content: "I can't log in", echo_id: "bubble-1" }));
      expect(first).toMatchObject({ message_type: 0, echo_id: "bubble-1" });

      // 4. Konversio routed it to an available agent.
      const agentPath = `${w.base}/conversations/${conversation.id}`;
      const assignee = (await as(w.admin).get(agentPath)).body.meta.assignee;
      expect([w.admin.id, w.agent.id]).toContain(assignee?.id);
      const agent = assignee.id === w.agent.id ? w.agent : w.admin;

      // 5. The agent replies, and leaves a note the user must never see.
      const reply = ok(await as(agent).post(`${agentPath}/messages`, { content: "Let's reset your password." }));
      ok(await as(agent).post(`${agentPath}/messages`, { content: "user sounds upset", private: true }));

      // 6. The webhook reaches the backend, signed, with the reply.
      const delivered = await until(async () => {
        const bodies = (await hook.requests()).map((r) => JSON.parse(r.body));
        return bodies.find((b) => b.event === "message_created" && b.id === reply.id);
      }, 10_000);
      expect(delivered).toMatchObject({
        content: "Let's reset your password.",
        message_type: "outgoing",
        conversation: { id: conversation.id },
      });
      const hookHeaders = (await hook.requests())[0].headers;
      expect(hookHeaders["webhook-signature"]).toMatch(/^v1,/);

      // 7. ...and the app's socket, at once.
      const pushed = await until(() => socket.events("message.created").find((f) => f.data.id === reply.id));
      expect(pushed.data).toMatchObject({
        content: "Let's reset your password.",
        message_type: 1,
        conversation_id: conversation.id,
      });
      expect(socket.events("message.created").some((f) => f.data.echo_id === "bubble-1")).toBe(true);
      // A barrier: a reply sent after the note. Once it has arrived on both, the note would have too.
      const barrier = ok(await as(agent).post(`${agentPath}/messages`, { content: "One moment." }));
      await until(() => socket.events("message.created").some((f) => f.data.id === barrier.id));
      await until(async () => (await hook.requests()).some((r) => JSON.parse(r.body).id === barrier.id), 10_000);
      expect(JSON.stringify(socket.frames)).not.toContain("user sounds upset");
      expect(JSON.stringify((await hook.requests()).map((r) => r.body))).not.toContain("user sounds upset");
      socket.close();

      // Later, on a new phone: the same user is the same contact and session, with the history.
      const again = ok(
        await as(w.agent).post("/api/v1/profile", {
          inbox_identifier: w.inbox.identifier,
          identifier: userId,
          identifier_hash: identifierHash,
        }),
      );
      expect(again).toMatchObject({ id: profile.id, source_id: profile.source_id });
      const history = ok(await app.get(`/contacts/${again.source_id}/conversations`));
      expect(history).toHaveLength(1);
      expect(history[0].messages.map((m: { content: string }) => m.content)).toEqual([
        "I can't log in",
        "Let's reset your password.",
        "One moment.",
      ]);
      // The app's own create (client API) also lands there; without the hash it is refused.
      expect(ok(await app.post("/contacts", { identifier: userId, identifier_hash: identifierHash })).source_id).toBe(
        profile.source_id,
      );
      expect((await app.post("/contacts", { identifier: userId })).status).toBe(401);
    },
  );
});
