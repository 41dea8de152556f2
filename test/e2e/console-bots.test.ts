import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentApiOf,
  CHROMIUM,
  clientApiOf,
  expectAccessible,
  launch,
  screenshots,
  signedWith,
  startReceiver,
  until,
} from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

/**
 * Agent bots in a real Chromium against its own `npm run dev`: an administrator creates a bot in
 * Settings → Bots (its token shown once, with a copy button), attaches it to the API inbox, a
 * contact's conversation waits as pending with the bot's name while the bot (its token, through
 * the API) answers and hands off; then the token is reset, the bot edited and deleted.
 */
describe("the console: agent bots", () => {
  let server: DevServer;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const errors: string[] = [];
  const agentApi = agentApiOf(() => server);
  const clientApi = clientApiOf(() => server);
  const client = (route: string, body?: unknown) => clientApi(server.credentials.inboxIdentifier, route, body);
  const botApi = (token: string, method: string, route: string, body?: unknown) =>
    fetch(`${server.url}/api/v1/accounts/${server.credentials.accountId}${route}`, {
      method,
      headers: { api_access_token: token, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const botItem = (name: string) => page.getByRole("listitem", { name: `Bot ${name}` });
  let token = "";
  let conversationId = 0;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser, receiver] = await Promise.all([startDevServer(), launch(), startReceiver()]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: "UTC" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    page = await context.newPage();
    page.on("pageerror", (err) => errors.push(String(err)));
    page.on("dialog", (dialog) => dialog.accept());
    await page.goto(`${server.url}/app/`);
    await page.getByLabel("Email").fill(server.credentials.email);
    await page.getByLabel("Password").fill(server.credentials.password!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Conversations" }).waitFor();
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  it("creates a bot in Settings → Bots and shows its access token once, with a copy button", async () => {
    await page.goto(`${server.url}/app/settings/inboxes`);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Bots" }).click();
    await page.getByRole("heading", { name: "Bots" }).waitFor();
    await page.getByRole("button", { name: "Add bot" }).click();
    const form = page.getByRole("form", { name: "New bot" });
    await form.getByLabel("Bot name").fill("Triage bot");
    await form.getByLabel("Description").fill("Answers first, then hands off");
    await form.getByLabel("Outgoing URL").fill(`${receiver.url}/bot`);
    await form.getByRole("button", { name: "Create bot" }).click();

    const issued = page.getByRole("region", { name: "Access token of Triage bot" });
    token = (await issued.getByRole("status", { name: "Access token of Triage bot" }).textContent()) ?? "";
    expect(token).toMatch(/^bot_\w{32}$/);
    await expectAccessible(page, "bots with a new token");
    await screenshots(page, "bots-token");
    await issued.getByRole("button", { name: "Copy the access token of Triage bot" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    // Shown once: neither the page nor the API show it again.
    await issued.getByRole("button", { name: "I have copied it" }).click();
    await botItem("Triage bot").waitFor();
    expect(await page.content()).not.toContain(token);
    const listed = await agentApi("GET", "/agent_bots");
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed).toEqual([expect.objectContaining({ name: "Triage bot", outgoing_url: `${receiver.url}/bot` })]);
    await screenshots(page, "bots");
  });

  it("attaches the bot to the inbox from the inbox's settings", async () => {
    await page.goto(`${server.url}/app/settings/inboxes/${server.credentials.inboxId}`);
    const panel = page.getByRole("form", { name: "Agent bot" });
    await panel.getByRole("combobox", { name: "Agent bot" }).selectOption({ label: "Triage bot" });
    await panel.getByRole("button", { name: "Save agent bot" }).click();
    await panel.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    const attached = await agentApi("GET", `/inboxes/${server.credentials.inboxId}/agent_bot`);
    expect(attached.agent_bot).toMatchObject({ name: "Triage bot" });
    await expectAccessible(page, "inbox settings with an agent bot");
    await panel.scrollIntoViewIfNeeded();
    await screenshots(page, "inbox-agent-bot");
  });

  it("keeps a new conversation pending with the bot's name while the bot answers, until it hands off", async () => {
    const contact = await client("/contacts", { identifier: "bot-1", name: "Rui Costa" });
    const conversation = await client(`/contacts/${contact.source_id}/conversations`, {});
    conversationId = conversation.id;
    expect(conversation.status).toBe("pending");
    await client(`/contacts/${contact.source_id}/conversations/${conversationId}/messages`, {
      content: "Where is my parcel?",
    });
    const [bot] = await agentApi("GET", "/agent_bots");
    const delivered = await until("the bot's delivery", () =>
      receiver.received.find((r) => r.json.event === "message_created" && r.json.content === "Where is my parcel?"),
    );
    expect(signedWith(delivered, bot.secret)).toBe(true);

    await page.goto(`${server.url}/app/conversations`);
    await page
      .getByRole("group", { name: "View" })
      .getByRole("button", { name: /Unassigned/ })
      .click();
    await page.getByLabel("Status").selectOption("pending");
    const entry = page.getByRole("link", { name: /Rui Costa/ });
    await entry.getByText("Bot: Triage bot").waitFor();
    await entry.click();
    const header = page.locator(".thread-pane");
    await header.getByText("Bot: Triage bot").waitFor();
    await header.getByText("Status: pending").waitFor();
    expect(await page.getByRole("combobox", { name: "Assignee" }).inputValue()).toBe("");

    const reply = await botApi(token, "POST", `/conversations/${conversationId}/messages`, {
      content: "Let me check that for you.",
    });
    expect(reply.status).toBe(200);
    await page.getByRole("list", { name: "Messages" }).getByText("Let me check that for you.").waitFor();
    await expectAccessible(page, "a conversation held by a bot");
    await screenshots(page, "bot-conversation");

    const handoff = await botApi(token, "POST", `/conversations/${conversationId}/toggle_status`, { status: "open" });
    expect(handoff.status).toBe(200);
    await header.getByText("Status: open").waitFor();
    await until("the bot's name to go", async () => (await header.getByText("Bot: Triage bot").count()) === 0);
    const shown = await agentApi("GET", `/conversations/${conversationId}`);
    expect(shown.meta.assignee_type).toBe("User");
  });

  it("resets the token (the old one is refused), edits the bot and deletes it", async () => {
    await page.goto(`${server.url}/app/settings/bots`);
    await botItem("Triage bot").getByRole("button", { name: "Reset token of Triage bot" }).click();
    const issued = page.getByRole("region", { name: "Access token of Triage bot" });
    const fresh = (await issued.getByRole("status", { name: "Access token of Triage bot" }).textContent()) ?? "";
    expect(fresh).toMatch(/^bot_/);
    expect(fresh).not.toBe(token);
    expect((await botApi(token, "GET", `/conversations/${conversationId}`)).status).toBe(401);
    expect((await botApi(fresh, "GET", `/conversations/${conversationId}`)).status).toBe(200);
    await issued.getByRole("button", { name: "I have copied it" }).click();

    await botItem("Triage bot").getByRole("button", { name: "Edit bot Triage bot" }).click();
    const form = page.getByRole("form", { name: "Edit Triage bot" });
    await form.getByLabel("Bot name").fill("Parcel bot");
    await form.getByRole("button", { name: "Save bot" }).click();
    await botItem("Parcel bot").waitFor();
    await expectAccessible(page, "bots");

    await botItem("Parcel bot").getByRole("button", { name: "Delete bot Parcel bot" }).click();
    await page.getByText("No bots yet.").waitFor();
    expect(await agentApi("GET", "/agent_bots")).toEqual([]);
    expect((await agentApi("GET", `/inboxes/${server.credentials.inboxId}/agent_bot`)).agent_bot).toEqual({});
    expect((await botApi(fresh, "GET", `/conversations/${conversationId}`)).status).toBe(401);
  });
});
