import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { openCable } from "../src/realtime/gateway";
import { AppError } from "../src/lib/errors";
import { HANDOFF_HEADER } from "../src/realtime/protocol";
import { as, createConversation, createWorld, expectError } from "./helpers/factories";
import { api } from "./helpers/api";
import { connect, contactPubsubToken, subscribeFrame, until, upgrade } from "./helpers/cable";

describe("cable: contact sockets", () => {
  it(
    "gets the agent's reply as message.created, never " + "a private note, and nothing of other conversations",
    async () => {
      const w = await createWorld();
      const mine = await createConversation(w);
      const theirs = await createConversation(w);
      const contact = await connect({ pubsub_token: await contactPubsubToken(mine.contact.id, w.inbox.id) });
      const other = await connect({ pubsub_token: await contactPubsubToken(theirs.contact.id, w.inbox.id) });
      const agent = await connect({ api_access_token: w.agent.token });

      const reply = await as(w.agent).post(`${mine.path}/messages`, {
        content: "Hello from support",
        echo_id: "echo-1",
      });
      await as(w.agent).post(`${mine.path}/messages`, { content: "internal only", private: true });
      await as(w.agent).post(`${mine.path}/messages`, { content: "second reply" });

      // The agent's socket hearing the note proves the hub handled it (it renders to all sockets at once).
      await until(() => agent.events("message.created").some((f) => f.data.content === "internal only"));
      await until(() => contact.events("message.created").length === 2);
      const frames = contact.events("message.created").sort((a, b) => a.id - b.id);
      expect(frames.map((f) => f.data.content)).toEqual(["Hello from support", "second reply"]);
      expect(frames[0]).toMatchObject({
        event: "message.created",
        id: expect.any(Number),
        data: {
          id: reply.body.id,
          content: "Hello from support",
          message_type: 1,
          conversation_id: mine.conversation.id,
          private: false,
          echo_id: "echo-1",
          created_at: reply.body.created_at,
          sender: { id: w.agent.id, type: "user", name: "Agent" },
        },
      });
      expect(JSON.stringify(contact.frames)).not.toContain(w.agent.email);
      expect(JSON.stringify(contact.frames)).not.toContain("internal only");
      expect(other.frames).toEqual([]);
      for (const c of [contact, other, agent]) c.close();
    },
  );
});

describe("cable: refusals", () => {
  it("answers a plain GET with 426 and the error envelope", async () => {
    const res = await api("GET", "/cable");
    expectError(res, 426);
    expect(res.body.code).toBe("UPGRADE_REQUIRED");
  });

  it("refuses a bad token before the upgrade with 401", async () => {
    const queries: Record<string, string>[] = [{ pubsub_token: "nope" }, { api_access_token: "nope" }];
    for (const query of queries) {
      const res = await upgrade(query);
      expect(res.status).toBe(401);
      expect(res.webSocket).toBeNull();
      expect(await res.json()).toMatchObject({ code: "UNAUTHORIZED", details: [] });
    }
  });

  it(
    "refuses an unverified contact when the inbox makes " + "HMAC identity mandatory, and accepts it once verified",
    async () => {
      const w = await createWorld();
      const { contact } = await createConversation(w);
      const token = await contactPubsubToken(contact.id, w.inbox.id);
      await env.DB.prepare("update inboxes set hmac_mandatory = 1 where id = ?").bind(w.inbox.id).run();
      expect((await upgrade({ pubsub_token: token })).status).toBe(401);
      await env.DB.prepare("update contact_inboxes set hmac_verified = 1 where pubsub_token = ?").bind(token).run();
      const ok = await connect({ pubsub_token: token });
      ok.close();
    },
  );

  it("makes an agent of several accounts name the account, and refuses one they do not belong to", async () => {
    const w = await createWorld();
    const second = await createWorld("Second");
    await as({ token: env.PLATFORM_API_TOKEN }).post(`/platform/api/v1/accounts/${second.account.id}/account_users`, {
      user_id: w.agent.id,
      role: "agent",
    });
    expect((await upgrade({ api_access_token: w.agent.token })).status).toBe(401);
    expect(
      (await upgrade({ api_access_token: w.agent.token, account_id: String(second.account.id + 1000) })).status,
    ).toBe(401);
    const named = await connect({ api_access_token: w.agent.token, account_id: String(second.account.id) });
    named.close();
    // The header works as well as the query.
    const header = await connect({ account_id: String(w.account.id) }, { api_access_token: w.agent.token });
    header.close();
  });

  it("allows any browser origin by default, and the origin rule turns away unlisted pages with 403", async () => {
    const w = await createWorld();
    const open = await connect({ api_access_token: w.admin.token }, { origin: "https://anywhere.example" });
    open.close();
    const db = drizzle(env.DB);
    const restricted = { ...env, PUBLIC_API_ALLOWED_ORIGINS: "https://app.example, https://widget.example" };
    const req = { upgrade: "websocket", token: w.admin.token, query: {} };
    const refused = await openCable(restricted, db, { ...req, origin: "https://evil.example" }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(403);
    const allowed = await openCable(restricted, db, { ...req, origin: "https://widget.example" });
    expect(allowed.status).toBe(101);
    allowed.webSocket!.accept();
    allowed.webSocket!.close(1000, "done");
  });

  it("never takes the subscriber from a client's header", async () => {
    const w = await createWorld();
    const forged = {
      sub: { kind: "agent", accountId: w.account.id, userId: w.admin.id },
      mode: "plain",
      identifier: null,
      since: 0,
      welcome: false,
      confirm: false,
    };
    const res = await upgrade({ api_access_token: "not-a-token" }, { [HANDOFF_HEADER]: JSON.stringify(forged) });
    expect(res.status).toBe(401);
  });

  it("answers a plain-text ping with pong (the runtime's auto-response)", async () => {
    const w = await createWorld();
    const c = await connect({ api_access_token: w.admin.token });
    c.send("ping");
    await until(() => c.frames.includes("pong"));
    c.close();
  });
});

describe("cable: ActionCable", () => {
  it("welcomes, confirms a subscribe frame, wraps frames in the identifier and pings", async () => {
    const w = await createWorld();
    const { contact, path } = await createConversation(w);
    const res = await upgrade({}, { "sec-websocket-protocol": "actioncable-v1-json, actioncable-unsupported" });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("actioncable-v1-json");
    const socket = res.webSocket!;
    socket.accept();
    const frames: any[] = [];
    socket.addEventListener("message", (ev) => {
      frames.push(JSON.parse(ev.data as string));
    });
    await until(() => frames.some((f) => f.type === "welcome"));

    const bad = subscribeFrame({ pubsub_token: "wrong" });
    socket.send(JSON.stringify(bad));
    await until(() => frames.some((f) => f.type === "reject_subscription"));
    expect(frames.find((f) => f.type === "reject_subscription").identifier).toBe(bad.identifier);

    // A rejected subscription may be retried on the same socket.
    const good = subscribeFrame({ pubsub_token: await contactPubsubToken(contact.id, w.inbox.id) });
    socket.send(JSON.stringify(good));
    await until(() => frames.some((f) => f.type === "confirm_subscription"));
    expect(frames.find((f) => f.type === "confirm_subscription")).toEqual({
      identifier: good.identifier,
      type: "confirm_subscription",
    });

    await as(w.agent).post(`${path}/messages`, { content: "wrapped" });
    const wrapped = await until(() => frames.find((f) => f.message?.event === "message.created"));
    expect(wrapped).toMatchObject({
      identifier: good.identifier,
      message: { event: "message.created", id: expect.any(Number), data: { content: "wrapped", message_type: 1 } },
    });

    const pinged = await until(() => frames.find((f) => f.type === "ping"), 5000);
    expect(Math.abs(pinged.message - Date.now() / 1000)).toBeLessThan(10);

    // One account per connection: a second, different subscription is refused.
    const another = subscribeFrame({ api_access_token: w.admin.token, account_id: w.account.id });
    socket.send(JSON.stringify(another));
    await until(() => frames.some((f) => f.type === "reject_subscription" && f.identifier === another.identifier));
    socket.close(1000, "done");
  }, 10_000);

  it(
    "speaks ActionCable to a client that put its token " + "in the URL: welcome, confirm, then wrapped frames",
    async () => {
      const w = await createWorld();
      const { contact, path } = await createConversation(w);
      const since = (await env.DB.prepare("select max(id) id from events").first<{ id: number }>())!.id - 1;
      const c = await connect(
        { pubsub_token: await contactPubsubToken(contact.id, w.inbox.id), since: String(since) },
        { "sec-websocket-protocol": "actioncable-v1-json" },
      );
      expect(c.res.headers.get("sec-websocket-protocol")).toBe("actioncable-v1-json");
      await until(() => c.frames.some((f) => f.type === "welcome"));
      await as(w.agent).post(`${path}/messages`, { content: "before subscribing" });
      const sub = subscribeFrame({});
      c.send(sub);
      await until(() => c.frames.some((f) => f.type === "confirm_subscription" && f.identifier === sub.identifier));
      // The replay waited for the subscription, so it carries what came before it too.
      const replayed = await until(() => c.frames.find((f) => f.message?.data?.content === "before subscribing"));
      expect(replayed.identifier).toBe(sub.identifier);
      expect(c.frames.indexOf(replayed)).toBeGreaterThan(c.frames.findIndex((f) => f.type === "confirm_subscription"));
      c.close();
    },
  );

  it("accepts Chatwoot's dashboard identifier: the user's pubsub_token with account_id and user_id", async () => {
    const w = await createWorld();
    const me = await as(w.admin).get("/api/v1/profile");
    const frames: any[] = [];
    const res = await upgrade();
    const socket = res.webSocket!;
    socket.accept();
    socket.addEventListener("message", (ev) => {
      frames.push(JSON.parse(ev.data as string));
    });
    const wrongUser = subscribeFrame({
      pubsub_token: me.body.pubsub_token,
      account_id: w.account.id,
      user_id: w.agent.id,
    });
    socket.send(JSON.stringify(wrongUser));
    await until(() => frames.some((f) => f.type === "reject_subscription"));
    const dashboard = subscribeFrame({
      pubsub_token: me.body.pubsub_token,
      account_id: w.account.id,
      user_id: w.admin.id,
    });
    socket.send(JSON.stringify(dashboard));
    await until(() => frames.some((f) => f.type === "confirm_subscription"));
    await createConversation(w);
    await until(() =>
      frames.some((f) => f.identifier === dashboard.identifier && f.message?.event === "conversation.created"),
    );
    socket.close(1000, "done");
  });

  it("closes a socket that never subscribes with 4001", async () => {
    const res = await upgrade();
    const socket = res.webSocket!;
    socket.accept();
    const closed = await new Promise<CloseEvent>((resolve) => socket.addEventListener("close", resolve));
    expect(closed.code).toBe(4001);
  }, 15_000);
});
