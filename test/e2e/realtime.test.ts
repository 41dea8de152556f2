import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, launch } from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

// The page stands for a site on the internet and the dev server is on 127.0.0.1: Chromium's
// local-network protections would stop that pair, which production (a public host) never is.
const LOCAL_NETWORK =
  "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,LocalNetworkAccessChecks";

type Frame = { event: string; id?: number; data: Record<string, any> };
declare global {
  interface Window {
    cableFrames: Frame[];
    cable: WebSocket;
    openCable: (query: string) => Promise<void>;
  }
}

/**
 * A web chat in a real browser against a real `npm run dev`: it calls the client API across
 * origins (CORS preflights included), opens /cable with its pubsub_token, receives the agent's
 * reply pushed by the Durable Object, and after a disconnect replays what it missed.
 */
describe("a browser app on the client API and /cable", () => {
  let server: DevServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser] = await Promise.all([startDevServer(), launch([LOCAL_NETWORK])]);
    page = await browser.newPage();
    // A page on another origin than the API (an app's own page would be), so every call is cross-origin.
    await page.route("http://chat.example.test/", (route) =>
      route.fulfill({ contentType: "text/html", body: "<!doctype html><title>chat</title>" }),
    );
    await page.goto("http://chat.example.test/");
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const agentPost = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}/api/v1/accounts/${server.credentials.accountId}${path}`, {
      method: "POST",
      headers: { api_access_token: server.credentials.token, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return res.json() as Promise<Record<string, any>>;
  };

  it("gets the agent's reply pushed, and replays what it missed after reconnecting", async () => {
    const started = await page.evaluate(
      async ({ base, identifier }) => {
        const client = `${base}/public/api/v1/inboxes/${identifier}`;
        const post = async (path: string, body: unknown) => {
          const res = await fetch(`${client}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          });
          if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          return res.json();
        };
        window.cableFrames = [];
        window.openCable = (query: string) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`${base.replace(/^http/, "ws")}/cable?${query}`);
            ws.onmessage = (e) => window.cableFrames.push(JSON.parse(e.data));
            ws.onopen = () => resolve();
            ws.onerror = () => reject(new Error("socket failed"));
            window.cable = ws;
          });
        const contact = await post("/contacts", { identifier: "browser-user-1", name: "Lea" });
        const conversation = await post(`/contacts/${contact.source_id}/conversations`, {});
        await window.openCable(`pubsub_token=${contact.pubsub_token}`);
        const mine = await post(`/contacts/${contact.source_id}/conversations/${conversation.id}/messages`, {
          content: "Hello from the browser",
          echo_id: "bubble-1",
        });
        return { contact, conversation, mine };
      },
      { base: server.url, identifier: server.credentials.inboxIdentifier },
    );
    expect(started.mine).toMatchObject({ message_type: 0, echo_id: "bubble-1" });

    // The demo inbox routed the conversation to its online agent, who replies.
    const reply = await agentPost(`/conversations/${started.conversation.id}/messages`, {
      content: "Hi Lea, how can I help?",
    });
    await page.waitForFunction(
      (id) => window.cableFrames.some((f) => f.event === "message.created" && f.data.id === id),
      reply.id,
      { timeout: 10_000 },
    );
    const frames = await page.evaluate(() => window.cableFrames);
    const pushed = frames.find((f) => f.event === "message.created" && f.data.id === reply.id)!;
    expect(pushed).toMatchObject({
      id: expect.any(Number),
      data: { content: "Hi Lea, how can I help?", message_type: 1, conversation_id: started.conversation.id },
    });
    expect(frames.some((f) => f.event === "message.created" && f.data.echo_id === "bubble-1")).toBe(true);

    // The app loses its connection; a reply lands meanwhile; it reconnects with the last id seen.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          window.cable.onclose = () => resolve();
          window.cable.close();
        }),
    );
    const missed = await agentPost(`/conversations/${started.conversation.id}/messages`, {
      content: "Are you still there?",
    });
    await page.evaluate(
      async ({ token, since }) => {
        window.cableFrames = [];
        await window.openCable(`pubsub_token=${token}&since=${since}`);
      },
      { token: started.contact.pubsub_token, since: pushed.id! },
    );
    await page.waitForFunction(
      (id) => window.cableFrames.some((f) => f.event === "message.created" && f.data.id === id),
      missed.id,
      { timeout: 10_000 },
    );
    const replayed = (await page.evaluate(() => window.cableFrames)).filter((f) => f.event === "message.created");
    expect(replayed.map((f) => f.data.content)).toEqual(["Are you still there?"]);
  });
});
