import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentApiOf, CHROMIUM, clientApiOf, expectAccessible, launch, screenshots } from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

async function signIn(page: Page, url: string, email: string, password: string) {
  await page.goto(`${url}/app/`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Conversations" }).waitFor();
}

/**
 * Labels and canned responses in a real Chromium against its own `npm run dev`: the Settings
 * pages (add, edit, delete with confirmation), adding an account label to a conversation, the
 * list's label sidebar, and `/` completion of canned responses in the reply box by keyboard.
 */
describe("the console: labels and canned responses", () => {
  let server: DevServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const agentApi = agentApiOf(() => server);
  const clientApi = clientApiOf(() => server);
  const client = (route: string, body?: unknown) => clientApi(server.credentials.inboxIdentifier, route, body);
  const actions = () => page.getByRole("group", { name: "Conversation actions" });
  const reply = () => page.getByRole("textbox", { name: "Reply" });
  const listbox = () => page.getByRole("listbox", { name: "Canned responses" });

  let billed: number;
  let other: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser] = await Promise.all([startDevServer(), launch()]);
    const open = async (identifier: string, name: string, text: string) => {
      const contact = await client("/contacts", { identifier, name });
      const id = (await client(`/contacts/${contact.source_id}/conversations`, {})).id as number;
      await client(`/contacts/${contact.source_id}/conversations/${id}/messages`, { content: text });
      return id;
    };
    billed = await open("user-501", "Nina Park", "My invoice is wrong");
    other = await open("user-502", "Ola Berg", "Where is my parcel?");
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: "UTC" });
    page = await context.newPage();
    page.on("pageerror", (err) => errors.push(String(err)));
    await signIn(page, server.url, server.credentials.email, server.credentials.password!);
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
    await server?.stop();
  });

  it("adds, edits and deletes labels in Settings, deleting only once confirmed", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Labels" }).click();
    await page.getByRole("heading", { name: "Labels", level: 1 }).waitFor();
    const form = page.getByRole("form", { name: "Add a label" });
    const add = async (title: string, color: string, sidebar = true) => {
      await form.getByLabel("Title").fill(title);
      await form.getByLabel("Colour").fill(color);
      await form.getByLabel("Offer it as a filter beside the conversation list").setChecked(sidebar);
      await form.getByRole("button", { name: "Add label" }).click();
      await page.getByRole("listitem", { name: `Label ${title.toLowerCase()}` }).waitFor();
    };
    await form.getByLabel("Description").fill("Invoices and payments");
    await add("Billing", "#e11d48");
    await add("vip", "#7c3aed", false);
    await add("refund", "#059669");
    // The API's validation answers in the form.
    await form.getByLabel("Title").fill("two words");
    await form.getByRole("button", { name: "Add label" }).click();
    await form
      .getByRole("alert")
      .getByText(/must contain only letters, numbers, hyphens and underscores/)
      .waitFor();
    await add("obsolete", "#64748b");
    expect(await form.getByRole("alert").count()).toBe(0);

    const stored = async () => (await agentApi("GET", "/labels")).payload as any[];
    expect((await stored()).map((l) => [l.title, l.color, l.show_on_sidebar, l.description])).toEqual([
      ["billing", "#e11d48", true, "Invoices and payments"],
      ["vip", "#7c3aed", false, null],
      ["refund", "#059669", true, null],
      ["obsolete", "#64748b", true, null],
    ]);

    await page.getByRole("button", { name: "Edit label refund" }).click();
    const edit = page.getByRole("form", { name: "Edit label refund" });
    await edit.getByLabel("Description").fill("Money back");
    await edit.getByRole("button", { name: "Save" }).click();
    await page.getByRole("listitem", { name: "Label refund" }).getByText("Money back").waitFor();

    page.once("dialog", (d) => d.dismiss());
    await page.getByRole("button", { name: "Delete label obsolete" }).click();
    expect((await stored()).map((l) => l.title)).toContain("obsolete");
    const confirmed = new Promise<string>((resolve) =>
      page.once("dialog", (d) => {
        resolve(d.message());
        d.accept();
      }),
    );
    await page.getByRole("button", { name: "Delete label obsolete" }).click();
    expect(await confirmed).toMatch(/removed from every conversation and contact/);
    await expect.poll(() => page.getByRole("listitem", { name: "Label obsolete" }).count()).toBe(0);
    expect((await stored()).map((l) => l.title)).toEqual(["billing", "vip", "refund"]);
    await expectAccessible(page, "labels");
    await screenshots(page, "labels");
  });

  it("adds an account label to a conversation and filters the list by a sidebar label", async () => {
    await page.goto(`${server.url}/app/conversations/${billed}`);
    // The thread's own message, not the list's excerpt of it (both show once the list has loaded).
    await page.getByRole("list", { name: "Messages" }).getByText("My invoice is wrong").waitFor();
    const picker = actions().getByLabel("Add label");
    await expect.poll(() => picker.locator("option").count()).toBe(4);
    await picker.selectOption("billing");
    await expect.poll(async () => (await agentApi("GET", `/conversations/${billed}`)).labels).toEqual(["billing"]);
    await expect.poll(() => actions().getByLabel("Labels").inputValue()).toBe("billing");
    // What it carries is no longer offered.
    expect(await picker.locator("option", { hasText: "billing" }).count()).toBe(0);

    const pane = page.getByRole("region", { name: "Conversations", exact: true });
    await pane.getByRole("button", { name: /^All/ }).click();
    const list = page.getByRole("list", { name: "Conversation list" });
    const nina = list.getByRole("link", { name: /Nina Park/ });
    const ola = list.getByRole("link", { name: /Ola Berg/ });
    await ola.waitFor();
    // Only labels marked for the sidebar are offered there.
    expect(await pane.getByRole("button", { name: "vip" }).count()).toBe(0);
    const billing = pane.getByRole("button", { name: "billing" });
    await billing.click();
    expect(await billing.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => ola.count()).toBe(0);
    expect(await nina.count()).toBe(1);
    expect(await pane.getByLabel("Label").inputValue()).toBe("billing");
    await expectAccessible(page, "conversation list with labels");
    await screenshots(page, "labels-filter");
    await billing.click();
    expect(await billing.getAttribute("aria-pressed")).toBe("false");
    await ola.waitFor();
    expect(other).toBeGreaterThan(0);
  });

  it("adds, edits, searches and deletes canned responses in Settings", async () => {
    await page.goto(`${server.url}/app/settings/inboxes`);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Canned responses" }).click();
    await page.getByRole("heading", { name: "Canned responses", level: 1 }).waitFor();
    const form = page.getByRole("form", { name: "Add a canned response" });
    const add = async (code: string, content: string) => {
      await form.getByLabel("Short code").fill(code);
      await form.getByLabel("Content").fill(content);
      await form.getByRole("button", { name: "Add canned response" }).click();
      await page.getByRole("listitem", { name: `Canned response /${code}` }).waitFor();
    };
    await add("shipping", "Your parcel left our warehouse today.");
    await add("ship-late", "Sorry, your parcel is late.");
    await add("refund", "We have refunded you.");
    await form.getByLabel("Short code").fill("refund");
    await form.getByLabel("Content").fill("Again");
    await form.getByRole("button", { name: "Add canned response" }).click();
    await form.getByRole("alert").getByText("Short code has already been taken").waitFor();
    await add("temp", "Temporary");
    expect(await form.getByRole("alert").count()).toBe(0);

    await page.getByRole("button", { name: "Edit /refund" }).click();
    const edit = page.getByRole("form", { name: "Edit /refund" });
    await edit.getByLabel("Content").fill("We have refunded your order in full.");
    await edit.getByRole("button", { name: "Save" }).click();
    await page
      .getByRole("listitem", { name: "Canned response /refund" })
      .getByText("We have refunded your order in full.")
      .waitFor();

    await page.getByLabel("Search canned responses").fill("PARCEL");
    await expect.poll(() => page.getByRole("listitem", { name: /^Canned response/ }).count()).toBe(2);
    await page.getByLabel("Search canned responses").fill("");
    await expect.poll(() => page.getByRole("listitem", { name: /^Canned response/ }).count()).toBe(4);

    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Delete /temp" }).click();
    await expect.poll(() => page.getByRole("listitem", { name: "Canned response /temp" }).count()).toBe(0);
    const stored = (await agentApi("GET", "/canned_responses")) as any[];
    expect(stored.map((c) => [c.short_code, c.content])).toEqual([
      ["shipping", "Your parcel left our warehouse today."],
      ["ship-late", "Sorry, your parcel is late."],
      ["refund", "We have refunded your order in full."],
    ]);
    await expectAccessible(page, "canned responses");
    await screenshots(page, "canned-responses");
  });

  it("completes `/` in the reply: arrows choose, Enter or Tab insert, Escape closes", async () => {
    await page.goto(`${server.url}/app/conversations/${other}`);
    await page.getByText("Where is my parcel?").waitFor();
    const box = reply();
    await box.click();
    await box.pressSequentially("Hi Ola! /sh");
    await listbox().waitFor();
    const options = listbox().getByRole("option");
    await expect
      .poll(() => options.allTextContents())
      .toEqual(["/ship-late Sorry, your parcel is late.", "/shipping Your parcel left our warehouse today."]);
    // The box keeps the focus and points at the chosen option.
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    const activeId = () => box.getAttribute("aria-activedescendant");
    expect(await activeId()).toBe(await options.nth(0).getAttribute("id"));
    expect(await options.nth(0).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("ArrowDown");
    await expect.poll(activeId).toBe(await options.nth(1).getAttribute("id"));
    expect(await options.nth(1).getAttribute("aria-selected")).toBe("true");
    await expectAccessible(page, "canned response completion");
    await screenshots(page, "canned-completion");
    await page.keyboard.press("Enter");
    await expect.poll(() => box.inputValue()).toBe("Hi Ola! Your parcel left our warehouse today.");
    expect(await listbox().count()).toBe(0);
    expect(await box.getAttribute("aria-activedescendant")).toBeNull();

    // Escape closes the list and leaves what was typed.
    await box.pressSequentially(" /ref");
    await listbox()
      .getByRole("option", { name: /refund/ })
      .waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => listbox().count()).toBe(0);
    expect(await box.inputValue()).toBe("Hi Ola! Your parcel left our warehouse today. /ref");
    // Typing on opens it again; Tab inserts too.
    await box.pressSequentially("u");
    await listbox()
      .getByRole("option", { name: /refund/ })
      .waitFor();
    await page.keyboard.press("Tab");
    await expect
      .poll(() => box.inputValue())
      .toBe("Hi Ola! Your parcel left our warehouse today. We have refunded your order in full.");
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    // No match, no list; a slash inside a word is not a short code.
    await box.pressSequentially(" /zzz and/or");
    expect(await listbox().count()).toBe(0);

    // Nothing was sent on the way; Ctrl+Enter sends what the box holds.
    const before = (await agentApi("GET", `/conversations/${other}/messages`)).payload.length;
    await box.fill("/shipping");
    await box.press("End");
    await listbox().waitFor();
    await box.press("Control+Enter");
    await page.getByRole("list", { name: "Messages" }).getByText("/shipping", { exact: true }).waitFor();
    expect((await agentApi("GET", `/conversations/${other}/messages`)).payload.length).toBe(before + 1);
    expect(await listbox().count()).toBe(0);
  });

  it("lets an agent manage canned responses from the header, without the administrators' Settings", async () => {
    const created = await agentApi("POST", "/agents", { name: "Cara Agent", email: "cara@example.com", role: "agent" });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const agentPage = await context.newPage();
    agentPage.on("pageerror", (err) => errors.push(String(err)));
    await agentPage.goto(created.set_password_url);
    await agentPage.getByLabel("New password").fill("correct horse battery");
    await agentPage.getByLabel("Confirm password").fill("correct horse battery");
    await agentPage.getByRole("button", { name: "Set password" }).click();
    await agentPage.getByText("Your password is set.").waitFor();
    await signIn(agentPage, server.url, "cara@example.com", "correct horse battery");

    expect(await agentPage.getByRole("link", { name: "Settings" }).count()).toBe(0);
    await agentPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Canned responses" }).click();
    await agentPage.getByRole("heading", { name: "Canned responses", level: 1 }).waitFor();
    expect(await agentPage.getByRole("navigation", { name: "Settings" }).count()).toBe(0);
    await agentPage.getByRole("listitem", { name: "Canned response /shipping" }).waitFor();
    const form = agentPage.getByRole("form", { name: "Add a canned response" });
    await form.getByLabel("Short code").fill("thanks");
    await form.getByLabel("Content").fill("Thank you for your patience.");
    await form.getByRole("button", { name: "Add canned response" }).click();
    await agentPage.getByRole("listitem", { name: "Canned response /thanks" }).waitFor();
    expect(((await agentApi("GET", "/canned_responses?search=thanks")) as any[]).map((c) => c.short_code)).toEqual([
      "thanks",
    ]);
    // The labels page stays the administrators'.
    await agentPage.goto(`${server.url}/app/settings/labels`);
    await agentPage.getByRole("heading", { name: "Conversations" }).waitFor();
    expect(agentPage.url()).toBe(`${server.url}/app/`);
    await context.close();
  });
});
