import { existsSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentApiOf, CHROMIUM, clientApiOf, expectAccessible, launch, screenshots } from "./console-helpers";
import { projectRoot, startDevServer, type DevServer } from "./dev-server";

/**
 * A conversation's contact panel in a real Chromium against its own `npm run dev`: notes (add,
 * edit, delete once confirmed) and merging the conversation's anonymous contact into the
 * customer it turns out to be, found by identifier, after reading what the merge will do.
 */
describe("the console: contact notes and merging", () => {
  let server: DevServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const agentApi = agentApiOf(() => server);
  const clientApi = clientApiOf(() => server);
  const client = (route: string, body?: unknown) => clientApi(server.credentials.inboxIdentifier, route, body);
  const panel = () => page.getByRole("complementary", { name: "Contact" });

  let conversationId: number;
  let anonymous: { id: number; name: string };
  let known: { id: number };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser] = await Promise.all([startDevServer(), launch()]);
    // A visitor chatting before signing in: an anonymous contact (a generated name) with an e-mail.
    const visitor = await client("/contacts", { email: "nina.park@example.test" });
    anonymous = { id: visitor.id, name: visitor.name };
    conversationId = (await client(`/contacts/${visitor.source_id}/conversations`, {})).id;
    await client(`/contacts/${visitor.source_id}/conversations/${conversationId}/messages`, {
      content: "Hi, I can't find my order",
    });
    // The customer the account already knows, by their stable identifier.
    known = (
      await agentApi("POST", "/contacts", {
        name: "Nina Park",
        identifier: "customer-7001",
        custom_attributes: { plan: "pro" },
      })
    ).payload.contact;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: "UTC" });
    page = await context.newPage();
    page.on("pageerror", (err) => errors.push(String(err)));
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
  });

  it("adds, edits and deletes a note on the conversation's contact", async () => {
    await page.goto(`${server.url}/app/conversations/${conversationId}`);
    await panel().getByText(anonymous.name, { exact: true }).waitFor();
    await panel().getByText("No notes yet.").waitFor();
    const add = panel().getByRole("form", { name: "Add a note" });
    await expect(add.getByRole("button", { name: "Add note" }).isDisabled()).resolves.toBe(true);
    await add.getByLabel("New note").fill("Ordered twice last week, once as a guest");
    await add.getByRole("button", { name: "Add note" }).click();
    const note = panel().getByRole("listitem", { name: /^Note by / });
    await note.getByText("Ordered twice last week, once as a guest").waitFor();
    expect(await add.getByLabel("New note").inputValue()).toBe("");
    await add.getByLabel("New note").fill("Prefers e-mail");
    await add.getByRole("button", { name: "Add note" }).click();
    await panel().getByText("Prefers e-mail").waitFor();
    // Newest first.
    expect(
      await panel()
        .getByRole("listitem", { name: /^Note by / })
        .allInnerTexts(),
    ).toEqual([expect.stringContaining("Prefers e-mail"), expect.stringContaining("Ordered twice last week")]);

    const first = panel()
      .getByRole("listitem", { name: /^Note by / })
      .nth(1);
    await first.getByRole("button", { name: /^Edit note by / }).click();
    const edit = panel().getByRole("form", { name: /^Edit note by / });
    await edit.getByLabel("Note").fill("Ordered twice last week: once as a guest, once signed in");
    await edit.getByRole("button", { name: "Save note" }).click();
    await panel().getByText("Ordered twice last week: once as a guest, once signed in").waitFor();
    await expectAccessible(page, "contact notes");
    await screenshots(page, "contact-notes");

    // Deleting asks first; dismissed, the note stays.
    const top = panel()
      .getByRole("listitem", { name: /^Note by / })
      .first();
    page.once("dialog", (d) => d.dismiss());
    await top.getByRole("button", { name: /^Delete note by / }).click();
    await panel().getByText("Prefers e-mail").waitFor();
    page.once("dialog", (d) => d.accept());
    await top.getByRole("button", { name: /^Delete note by / }).click();
    await panel().getByText("Prefers e-mail").waitFor({ state: "detached" });
    const notes = await agentApi("GET", `/contacts/${anonymous.id}/notes`);
    expect(notes.map((n: { content: string }) => n.content)).toEqual([
      "Ordered twice last week: once as a guest, once signed in",
    ]);
  });

  it("merges the anonymous contact into the known customer after explaining what happens", async () => {
    await page.goto(`${server.url}/app/conversations/${conversationId}`);
    await panel().getByText(anonymous.name, { exact: true }).waitFor();
    await panel().getByRole("button", { name: "Merge contact" }).click();
    const merge = panel().getByRole("region", { name: "Merge contact" });
    await merge.getByLabel("Find the other contact").fill("customer-7001");
    await merge.getByRole("button", { name: /^Choose Nina Park/ }).click();
    const confirm = merge.getByRole("form", { name: "Confirm the merge" });
    const keeps = confirm.getByRole("group", { name: "Which contact stays?" });
    expect(await keeps.getByRole("radio", { name: /^Nina Park/ }).isChecked()).toBe(true);
    await confirm.getByText(`Everything of ${anonymous.name} moves to Nina Park`, { exact: false }).waitFor();
    await confirm.getByText(`${anonymous.name} is then deleted.`).waitFor();
    const go = confirm.getByRole("button", { name: `Merge and delete ${anonymous.name}` });
    await expectAccessible(page, "contact merge");
    await screenshots(page, "contact-merge");
    // The confirmation itself (below the fold of the panel in the full-window shots).
    await merge.screenshot({ path: path.join(projectRoot, "docs", "images", "console-contact-merge-confirm.png") });
    await go.click();

    await panel().getByRole("status").getByText("this conversation's contact is now Nina Park").waitFor();
    await panel().getByText("Nina Park", { exact: true }).waitFor();
    // The customer kept its identifier and took the e-mail only the visitor had; the note came along.
    await panel().getByText("customer-7001", { exact: true }).waitFor();
    await panel().getByText("nina.park@example.test", { exact: true }).waitFor();
    await panel().getByText("Ordered twice last week: once as a guest, once signed in").waitFor();
    // The thread and the list show the conversation's new contact too.
    await page.getByRole("heading", { name: `Nina Park · #${conversationId}` }).waitFor();
    await page.getByRole("list", { name: "Conversation list" }).getByText("Nina Park").waitFor();
    await expectAccessible(page, "contact merged");
    await screenshots(page, "contact-merged");

    const conversation = await agentApi("GET", `/conversations/${conversationId}`);
    expect(conversation.meta.sender.id).toBe(known.id);
    const res = await fetch(`${server.url}/api/v1/accounts/${server.credentials.accountId}/contacts/${anonymous.id}`, {
      headers: { api_access_token: server.credentials.token },
    });
    expect(res.status).toBe(404);
  });
});
