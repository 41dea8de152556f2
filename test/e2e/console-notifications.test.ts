import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentApiOf, CHROMIUM, clientApiOf, expectAccessible, launch, screenshots } from "./console-helpers";
import { projectRoot, startDevServer, type DevServer } from "./dev-server";

/** The operator token `npm run dev` reads from .dev.vars (the Platform API makes a second agent with it). */
function platformToken(): string {
  const vars = readFileSync(path.join(projectRoot, ".dev.vars"), "utf8");
  const token = vars.match(/^PLATFORM_API_TOKEN=(.+)$/m)?.[1]?.trim();
  if (!token) throw new Error("no PLATFORM_API_TOKEN in .dev.vars");
  return token;
}

/**
 * Mentions and notifications in a real Chromium against its own `npm run dev`: `@` completion in
 * a private note (Chatwoot's mention markup, shown as @Name), the header's bell kept live by
 * `notification.created` (mark one read, mark all read, open one), the list's Mentions /
 * Participating / Unattended views, and the advanced filter.
 */
describe("the console: mentions, notifications, conversation types and the advanced filter", () => {
  let server: DevServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const agentApi = agentApiOf(() => server);
  const clientApi = clientApiOf(() => server);
  const client = (route: string, body?: unknown) => clientApi(server.credentials.inboxIdentifier, route, body);
  const reply = () => page.getByRole("textbox", { name: "Reply" });
  const bell = () => page.getByRole("button", { name: /^Notifications, \d+ unread$/ });
  const list = () => page.getByRole("list", { name: "Conversation list" });

  let rita: { id: number; token: string };
  let lena: number;
  let omar: number;
  /** The Application API as Rita, the second agent. */
  const asRita = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1/accounts/${server.credentials.accountId}${route}`, {
      method,
      headers: { api_access_token: rita.token, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${route}`).toBe(200);
    return res.json() as Promise<any>;
  };
  const platform = async (route: string, body: unknown) => {
    const res = await fetch(`${server.url}/platform/api/v1${route}`, {
      method: "POST",
      headers: { api_access_token: platformToken(), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, route).toBe(200);
    return res.json() as Promise<any>;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser] = await Promise.all([startDevServer(), launch()]);
    const user = await platform("/users", {
      name: "Rita Agent",
      email: "rita.notify@example.com",
      password: "Secret-password-1",
    });
    rita = { id: user.id, token: user.access_token };
    await platform(`/accounts/${server.credentials.accountId}/account_users`, { user_id: rita.id, role: "agent" });
    await agentApi("POST", "/inbox_members", { inbox_id: server.credentials.inboxId, user_ids: [rita.id] });
    // Manual assignment: who takes part in what stays as the test makes it.
    await agentApi("PATCH", `/inboxes/${server.credentials.inboxId}`, { enable_auto_assignment: false });
    const open = async (identifier: string, name: string, text: string) => {
      const contact = await client("/contacts", { identifier, name });
      const id = (await client(`/contacts/${contact.source_id}/conversations`, {})).id as number;
      await client(`/contacts/${contact.source_id}/conversations/${id}/messages`, { content: text });
      return id;
    };
    lena = await open("user-901", "Lena Berg", "I was charged twice");
    omar = await open("user-902", "Omar Said", "Where is my order?");

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: "UTC" });
    page = await context.newPage();
    page.on("pageerror", (err) => errors.push(String(err)));
    await page.goto(`${server.url}/app/`);
    await page.getByLabel("Email").fill(server.credentials.email);
    await page.getByLabel("Password").fill(server.credentials.password!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Conversations" }).waitFor();
    await page.goto(`${server.url}/app/conversations/${lena}`);
    await page.getByRole("list", { name: "Messages" }).getByText("I was charged twice").waitFor();
    await page.getByRole("status", { name: "Realtime: Live" }).waitFor();
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await server?.stop();
  });

  it("completes @ in a private note with Chatwoot's mention markup, and notifies the agent", async () => {
    await page.getByRole("checkbox", { name: "Private note" }).check();
    await reply().fill("");
    await reply().pressSequentially("Could you check this, @Ri");
    const options = page.getByRole("listbox", { name: "Mention an agent" });
    await options.getByRole("option", { name: /@Rita Agent/ }).waitFor();
    expect(await reply().getAttribute("aria-activedescendant")).toBe("mention-option-0");
    await expectAccessible(page, "mention completion");
    await screenshots(page, "mention-completion");
    await reply().press("Enter");
    await expect.poll(() => options.count()).toBe(0);
    expect(await reply().inputValue()).toBe(
      `Could you check this, [@Rita Agent](mention://user/${rita.id}/Rita%20Agent) `,
    );
    await reply().pressSequentially("please?");
    await page.getByRole("button", { name: "Send" }).click();

    const note = page.getByRole("listitem", { name: /Private note from/ }).filter({ hasText: "please?" });
    await note.getByText("@Rita Agent", { exact: true }).waitFor();
    // The markup is not shown, only the name.
    expect(await note.textContent()).not.toContain("mention://");

    const theirs = await asRita("GET", "/notifications");
    expect(theirs.data.payload).toHaveLength(1);
    expect(theirs.data.payload[0]).toMatchObject({
      notification_type: "conversation_mention",
      primary_actor_id: lena,
      push_message_body: expect.stringContaining("@Rita Agent please?"),
    });
    // Escape closes the list; a reply (not a note) offers no mentions.
    await reply().pressSequentially("@Ri");
    await options.waitFor();
    await reply().press("Escape");
    await expect.poll(() => options.count()).toBe(0);
    await page.getByRole("checkbox", { name: "Private note" }).uncheck();
    await reply().fill("");
    await reply().pressSequentially("@Ri");
    await page.waitForTimeout(300);
    expect(await options.count()).toBe(0);
    await reply().fill("");
  });

  it("shows a mention of me on the bell at once, and marks one and all read", async () => {
    await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications, 0 unread");
    const markup = (await agentApi("GET", "/agents")).find((a: any) => a.email === server.credentials.email);
    const me = `[@${markup.available_name}](mention://user/${markup.id}/${encodeURIComponent(markup.available_name)})`;
    await asRita("POST", `/conversations/${omar}/messages`, { content: `${me} the parcel is lost`, private: true });
    // Live, through notification.created: no reload.
    await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications, 1 unread");
    await bell().click();
    expect(await bell().getAttribute("aria-expanded")).toBe("true");
    const panel = page.getByRole("region", { name: "Notifications" });
    const items = panel.getByRole("list", { name: "Notification list" }).getByRole("listitem");
    const title = `You have been mentioned in conversation (#${omar})`;
    await items.filter({ hasText: title }).waitFor();
    await panel.getByText(`Rita Agent: @${markup.available_name} the parcel is lost`).waitFor();
    await expectAccessible(page, "notifications");
    await screenshots(page, "notifications");

    await panel.getByRole("button", { name: `Mark read: ${title}` }).click();
    await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications, 0 unread");

    // Two more arrive while the panel is open; "Mark all read" clears both.
    await asRita("POST", `/conversations/${lena}/messages`, { content: `${me} one`, private: true });
    await asRita("POST", `/conversations/${omar}/messages`, { content: `${me} two`, private: true });
    await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications, 2 unread");
    await expect.poll(() => items.count()).toBe(3);
    await panel.getByRole("button", { name: "Mark all read" }).click();
    await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications, 0 unread");
    expect(await agentApi("GET", "/notifications/unread_count")).toBe(0);

    // Opening one goes to its conversation; Escape closed the panel before.
    await items.first().getByRole("link").click();
    await page.waitForURL(`**/app/conversations/${omar}`);
    await page.getByRole("list", { name: "Messages" }).getByText("Where is my order?").waitFor();
    expect(await page.getByRole("region", { name: "Notifications" }).count()).toBe(0);
    await bell().click();
    await page.getByRole("region", { name: "Notifications" }).waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("region", { name: "Notifications" }).count()).toBe(0);
  });

  it("lists the Mentions, Participating and Unattended views", async () => {
    await page.goto(`${server.url}/app/`);
    const types = page.getByRole("group", { name: "Conversation type" });
    await page.getByRole("group", { name: "View" }).getByRole("button", { name: /^All/ }).click();
    const names = async () => (await list().getByRole("link").allTextContents()).map((t) => t.slice(0, 9)).sort();

    await types.getByRole("button", { name: "Mentions" }).click();
    expect(await types.getByRole("button", { name: "Mentions" }).getAttribute("aria-pressed")).toBe("true");
    // Rita mentioned me in both conversations.
    await expect.poll(names).toEqual(["Lena Berg", "Omar Said"]);
    await types.getByRole("button", { name: "Participating" }).click();
    // Mentioned in both (and I wrote the note in Lena's); Rita wrote in both, and I took part in neither as her.
    await expect.poll(names).toEqual(["Lena Berg", "Omar Said"]);
    const ritas = await asRita("GET", "/conversations?status=all&conversation_type=participating");
    expect(ritas.data.meta.all_count).toBe(2);
    const ritaMentions = await asRita("GET", "/conversations?status=all&conversation_type=mention");
    expect(ritaMentions.data.payload.map((c: { id: number }) => c.id)).toEqual([lena]);
    await types.getByRole("button", { name: "Unattended" }).click();
    // Nobody replied to either (notes are no reply).
    await expect.poll(names).toEqual(["Lena Berg", "Omar Said"]);
    await agentApi("POST", `/conversations/${omar}/messages`, { content: "We are on it" });
    await expect.poll(names).toEqual(["Lena Berg"]);
    await expectAccessible(page, "conversation types");
    await types.getByRole("button", { name: "Any type" }).click();
    await expect.poll(names).toEqual(["Lena Berg", "Omar Said"]);
  });

  it("filters the list with the advanced filter (attribute, operator, value rows)", async () => {
    await page.getByRole("button", { name: "Advanced filter" }).click();
    const form = page.getByRole("form", { name: "Advanced filter" });
    await form.getByLabel("Attribute 1").selectOption({ label: "Contact name" });
    await form.getByLabel("Operator 1").selectOption({ label: "contains" });
    await form.getByLabel("Value 1").fill("lena");
    // A second row starts as "Status is open"; the first joins it with "and".
    await form.getByRole("button", { name: "Add condition" }).click();
    await form.getByLabel("Join condition 1 with the next").selectOption({ label: "and" });
    expect(await form.getByLabel("Value 2").inputValue()).toBe("open");
    await form.getByRole("button", { name: "Apply filter" }).click();
    await page.getByRole("status").filter({ hasText: "Filtered: 1 conversations match." }).waitFor();
    await expect.poll(() => list().getByRole("link").count()).toBe(1);
    await list().getByText("Lena Berg").waitFor();
    await expectAccessible(page, "advanced filter");
    await screenshots(page, "advanced-filter");

    // Without the name: both open conversations.
    await form.getByRole("button", { name: "Remove condition 1" }).click();
    expect(await form.getByLabel("Attribute 1").inputValue()).toBe("status");
    await form.getByRole("button", { name: "Apply filter" }).click();
    await page.getByRole("status").filter({ hasText: "Filtered: 2 conversations match." }).waitFor();
    await form.getByRole("button", { name: "Clear filter" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Filtered:" }).count()).toBe(0);
    await expect.poll(() => list().getByRole("link").count()).toBe(2);
  });
});
