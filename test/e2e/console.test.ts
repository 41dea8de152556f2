import { existsSync, readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTypes, typesFile } from "../../web/scripts/api-types.mjs";
import {
  agentApiOf,
  CHROMIUM,
  clientApiOf,
  expectAccessible,
  launch,
  screenshots,
  signedWith,
  sleep,
  startReceiver,
  until,
} from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

/**
 * The agent console (web/, served under /app) in a real Chromium against a real `npm run dev`:
 * an agent signs in with the demo credentials, works a conversation that an end user opens
 * through the client API, sets up an API inbox and an account webhook the way the API-channel
 * article describes, and a plain agent sees no Settings.
 */
describe("the agent console", () => {
  let server: DevServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const errors: string[] = [];

  const agentApi = agentApiOf(() => server);
  const client = clientApiOf(() => server);

  const signIn = async (p: Page, email: string, password: string) => {
    await p.goto(`${server.url}/app/`);
    await p.getByLabel("Email").fill(email);
    await p.getByLabel("Password").fill(password);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByRole("heading", { name: "Conversations" }).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser, receiver] = await Promise.all([
      startDevServer({ devArgs: ["--var", "ALLOW_PRIVATE_WEBHOOK_URLS:true"] }),
      launch(),
      startReceiver(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on("pageerror", (err) => errors.push(String(err)));
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  it("serves the console under /app, redirects / there and keeps the API and Swagger UI on the Worker", async () => {
    // The bare origin and the usual sign-in path lead to the console (public/_redirects).
    for (const entry of ["/", "/login"]) {
      const res = await fetch(`${server.url}${entry}`, { redirect: "manual" });
      expect(res.status, entry).toBe(302);
      expect(new URL(res.headers.get("location")!, server.url).pathname).toBe("/app/");
    }
    const deep = await fetch(`${server.url}/app/settings/inboxes`, {
      headers: { accept: "text/html", "sec-fetch-mode": "navigate" },
    });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="app">');
    expect((await fetch(`${server.url}/api`)).status).toBe(200);
    expect((await fetch(`${server.url}/openapi.json`)).headers.get("content-type")).toContain("json");
    expect((await fetch(`${server.url}/swagger-ui/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it("uses types generated from the Worker's current /openapi.json (npm run web:types)", async () => {
    const document = await (await fetch(`${server.url}/openapi.json`)).json();
    expect(await generateTypes(document), "web/src/api-types.ts is stale: run `npm run web:types`").toBe(
      readFileSync(typesFile, "utf8"),
    );
  });

  it("refuses a wrong password, then signs the demo agent in with a session cookie and no stored token", async () => {
    await page.goto(`${server.url}/app/`);
    await page.getByLabel("Email").waitFor();
    await expectAccessible(page, "sign-in");
    await page.getByLabel("Email").fill(server.credentials.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Invalid login credentials");
    await screenshots(page, "sign-in");

    expect(server.credentials.password, "npm run dev prints the demo agent's password").toBeTruthy();
    await signIn(page, server.credentials.email, server.credentials.password!);
    const cookie = (await context.cookies()).find((c) => c.name === "konversio_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toContain(server.credentials.token);
    expect(stored).toBe("{}{}");
  });

  let identifier: string;
  let sourceId: string;
  let conversationId: number;
  let inboxSecret: string;

  it("shows a conversation an end user opens through the client API, live, and its contact", async () => {
    // The demo inbox's webhook_url points at the receiver (as README's walk-through does).
    inboxSecret = (
      await agentApi("PATCH", `/inboxes/${server.credentials.inboxId}`, {
        channel: { webhook_url: `${receiver.url}/inbox` },
      })
    ).secret;
    identifier = server.credentials.inboxIdentifier;
    await expect.poll(() => page.getByRole("status", { name: /Realtime/ }).textContent()).toContain("Live");

    const contact = await client(identifier, "/contacts", {
      identifier: "user-501",
      name: "Noor Haddad",
      email: "noor@example.com",
      custom_attributes: { plan: "pro" },
    });
    sourceId = contact.source_id;
    const conversation = await client(identifier, `/contacts/${sourceId}/conversations`, {});
    conversationId = conversation.id;
    await client(identifier, `/contacts/${sourceId}/conversations/${conversationId}/messages`, {
      content: "My parcel never arrived",
    });

    const item = page.getByRole("link", { name: /Noor Haddad/ });
    await item.waitFor({ timeout: 15_000 });
    await expect.poll(() => item.textContent()).toContain("My parcel never arrived");
    await item.click();
    const thread = page.getByRole("list", { name: "Messages" });
    await thread.getByText("My parcel never arrived").waitFor();
    const panel = page.getByRole("complementary", { name: "Contact" });
    await panel.getByText("user-501").waitFor();
    await panel.getByText("noor@example.com").waitFor();
    await panel.getByText("pro").waitFor();

    // Opened: read (update_last_seen), so no unread count stays on it.
    await expect.poll(() => item.getByText("unread").count()).toBe(0);

    // A second message while the conversation is open, and the user typing, arrive without a reload.
    await client(identifier, `/contacts/${sourceId}/conversations/${conversationId}/toggle_typing`, {
      typing_status: "on",
    });
    await page.getByText("Noor Haddad is typing…").waitFor();
    await client(identifier, `/contacts/${sourceId}/conversations/${conversationId}/messages`, {
      content: "Order 4411, it was due Monday",
    });
    await thread.getByText("Order 4411, it was due Monday").waitFor();
    await expectAccessible(page, "conversation");
  });

  it("sends a reply the inbox's webhook_url receives signed, and a private note it never receives", async () => {
    await page.getByLabel("Reply").fill("Sorry! It ships today.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByRole("list", { name: "Messages" }).getByText("Sorry! It ships today.").waitFor();
    const reply = await until("message_created for the reply", () =>
      receiver.received.find(
        (r) => r.path === "/inbox" && r.json.event === "message_created" && r.json.content === "Sorry! It ships today.",
      ),
    );
    expect(signedWith(reply, inboxSecret)).toBe(true);
    expect(reply.json.message_type).toBe("outgoing");

    await page.getByRole("checkbox", { name: "Private note" }).check();
    await page.getByLabel("Reply").fill("Check the warehouse before answering");
    await page.getByRole("button", { name: "Send" }).click();
    const note = page.getByRole("listitem", { name: /Private note from/ });
    await note.getByText("Check the warehouse before answering").waitFor();
    await note.getByText("Private note", { exact: true }).waitFor();
    await page.getByRole("checkbox", { name: "Private note" }).uncheck();

    // A later reply arrives after the note would have: the note was never sent.
    await page.getByLabel("Reply").fill("Tracking link coming up.");
    await page.getByRole("button", { name: "Send" }).click();
    await until("the later reply", () => receiver.received.find((r) => r.json.content === "Tracking link coming up."));
    await sleep(500);
    expect(
      receiver.received.filter((r) => r.path === "/inbox" && JSON.stringify(r.json).includes("Check the warehouse")),
    ).toEqual([]);
    await page.getByText("Delivery: sent").first().waitFor();
    await screenshots(page, "conversation");
  });

  it("resolves and reopens the conversation", async () => {
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    await page.getByText("Status: resolved").waitFor();
    await until("conversation_status_changed", () =>
      receiver.received.find((r) => r.json.event === "conversation_status_changed" && r.json.status === "resolved"),
    );
    await page.getByRole("button", { name: "Reopen" }).click();
    await page.getByRole("button", { name: "Resolve" }).waitFor();
  });

  it(
    "creates an API inbox through Settings → Inboxes → " + "Add Inbox whose identifier works on the client API",
    async () => {
      await page.getByRole("link", { name: "Settings" }).click();
      await page.getByRole("heading", { name: "Inboxes" }).waitFor();
      await expectAccessible(page, "inboxes");
      await page.getByRole("link", { name: "Add Inbox" }).click();
      await page.getByRole("button", { name: /^API/ }).click();
      await page.getByLabel("Inbox name").fill("Kiosk support");
      await expectAccessible(page, "add inbox");
      await page.getByRole("button", { name: "Create Inbox" }).click();
      await page.getByRole("checkbox", { name: /Demo Admin/ }).waitFor();
      await page.getByRole("button", { name: "Add agents" }).click();
      await page.getByRole("link", { name: "Open inbox settings" }).click();
      await page.getByRole("heading", { name: "Kiosk support" }).waitFor();

      const shown = (await page.getByLabel("Inbox Identifier", { exact: true }).textContent())!.trim();
      expect(shown).toMatch(/^\w{16,}$/);
      const session = await client(shown, "/contacts", { identifier: "kiosk-7", name: "Kiosk 7" });
      expect(session.source_id).toBeTruthy();
      await client(shown, `/contacts/${session.source_id}/conversations`, {});

      // The HMAC token is hidden until revealed.
      await page.getByRole("button", { name: "Reveal HMAC token" }).click();
      expect(await page.getByLabel("HMAC token", { exact: true }).textContent()).toMatch(/^\w{16,}$/);
      await page.getByRole("checkbox", { name: /Demo Admin/ }).isChecked();
      await expectAccessible(page, "inbox settings");
      await screenshots(page, "inbox-settings");
    },
  );

  it(
    "adds an account webhook for message_created under " + "Settings → Integrations → Webhooks and shows its delivery",
    async () => {
      await page.getByRole("link", { name: "Integrations → Webhooks" }).click();
      await page.getByRole("heading", { name: "Webhooks" }).waitFor();
      await page.getByRole("button", { name: "Add webhook" }).click();
      await page.getByLabel("Webhook URL").fill(`${receiver.url}/account`);
      await page.getByLabel("Name (optional)").fill("Order backend");
      expect(await page.getByRole("checkbox", { name: "message_created" }).isChecked()).toBe(true);
      await page.getByRole("button", { name: "Create webhook" }).click();
      const hook = page.getByRole("listitem", { name: "Webhook Order backend" });
      await hook.waitFor();

      await agentApi("POST", `/conversations/${conversationId}/messages`, { content: "Reply for the account webhook" });
      await until("the account webhook's delivery", () =>
        receiver.received.find((r) => r.path === "/account" && r.json.content === "Reply for the account webhook"),
      );
      await expect
        .poll(
          async () => {
            await hook.getByRole("button", { name: "Refresh log" }).click();
            return hook
              .getByRole("row")
              .filter({ hasText: "message_created" })
              .filter({ hasText: "delivered" })
              .count();
          },
          { timeout: 15_000 },
        )
        .toBeGreaterThan(0);
      await hook.getByRole("button", { name: "Details" }).first().click();
      await hook.getByText("Delivery id").waitFor();
      const before = receiver.received.length;
      await hook
        .getByRole("button", { name: /^Redeliver message_created/ })
        .first()
        .click();
      await until(
        "the redelivery",
        () => receiver.received.length > before && receiver.received.slice(before).some((r) => r.path === "/account"),
      );
      await expectAccessible(page, "webhooks");
      await screenshots(page, "webhooks");
    },
  );

  it("invites an agent with a one-time set-password link; the agent signs in and sees no Settings", async () => {
    await page.getByRole("link", { name: "Agents" }).click();
    await page.getByRole("heading", { name: "Agents" }).waitFor();
    const form = page.getByRole("form", { name: "Invite an agent" });
    await form.getByLabel("Name").fill("Sam Agent");
    await form.getByLabel("Email").fill("sam@example.com");
    await form.getByRole("button", { name: "Invite agent" }).click();
    const link = (await page.getByLabel("Set-password link", { exact: true }).textContent())!.trim();
    expect(link).toContain("/app/set-password?token=");
    await expectAccessible(page, "agents");
    await screenshots(page, "agents");

    await page.getByRole("link", { name: "Teams" }).click();
    await page.getByLabel("Team name").fill("Tier 2");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.getByRole("listitem", { name: "Team Tier 2" }).waitFor();
    await expectAccessible(page, "teams");

    const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const agentPage = await other.newPage();
    await agentPage.goto(link);
    await agentPage.getByLabel("New password").fill("correct horse battery");
    await agentPage.getByLabel("Confirm password").fill("correct horse battery");
    await expectAccessible(agentPage, "set password");
    await agentPage.getByRole("button", { name: "Set password" }).click();
    await agentPage.getByText("Your password is set.").waitFor();

    await signIn(agentPage, "sam@example.com", "correct horse battery");
    expect(await agentPage.getByRole("link", { name: "Settings" }).count()).toBe(0);
    await agentPage.goto(`${server.url}/app/settings/inboxes`);
    await agentPage.getByRole("heading", { name: "Conversations" }).waitFor();
    expect(agentPage.url()).toBe(`${server.url}/app/`);
    expect(await agentPage.getByRole("navigation", { name: "Settings" }).count()).toBe(0);
    await other.close();
  });

  it("switches availability and signs out", async () => {
    await page.getByLabel("Availability").selectOption("busy");
    await expect
      .poll(
        async () =>
          (await agentApi("GET", "/agents")).find((a: { email: string }) => a.email === server.credentials.email)
            ?.availability_status,
      )
      .toBe("busy");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(errors).toEqual([]);
  });
});
