import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentApiOf, CHROMIUM, clientApiOf, expectAccessible, launch, screenshots, until } from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

/**
 * CSAT surveys and snooze wake-up in a real Chromium against its own `npm run dev`: an
 * administrator turns CSAT on for the inbox, resolves a conversation, sees the survey in the
 * thread and the end user's rating arrive live, reads Reports → CSAT with its filters; then snoozes
 * a conversation, sees when it wakes, and sees it back in the Open list once the cron woke it.
 */
describe("the agent console: CSAT surveys and reports, snooze wake-up", () => {
  let server: DevServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const agentApi = agentApiOf(() => server);
  const clientApi = clientApiOf(() => server);
  const client = (route: string, body?: unknown) => clientApi(server.credentials.inboxIdentifier, route, body);
  const thread = () => page.getByRole("list", { name: "Messages" });
  const conversationList = () => page.getByRole("list", { name: "Conversation list" });

  /** A contact's conversation with one message; returns its ids. */
  async function contactConversation(identifier: string, name: string, text: string) {
    const contact = await client("/contacts", { identifier, name });
    const id = (await client(`/contacts/${contact.source_id}/conversations`, {})).id as number;
    await client(`/contacts/${contact.source_id}/conversations/${id}/messages`, { content: text });
    return { sourceId: contact.source_id as string, id };
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser] = await Promise.all([startDevServer(), launch()]);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: "UTC",
      locale: "en-US",
    });
    page = await context.newPage();
    page.on("pageerror", (err) => errors.push(String(err)));
    await page.goto(`${server.url}/app/`);
    await page.getByLabel("Email").fill(server.credentials.email);
    await page.getByLabel("Password").fill(server.credentials.password!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Conversations" }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("turns CSAT on in the inbox's settings, and shows the survey sent on resolve and the rating live", async () => {
    await page.goto(`${server.url}/app/settings/inboxes/${server.credentials.inboxId}`);
    const csat = page.getByLabel("Send a CSAT survey when a conversation is resolved");
    await csat.check();
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    const inbox = await agentApi("GET", `/inboxes/${server.credentials.inboxId}`);
    expect(inbox.csat_survey_enabled).toBe(true);

    const { sourceId, id } = await contactConversation("csat-1", "Nora Lind", "Can I change my delivery address?");
    await page.goto(`${server.url}/app/conversations/${id}`);
    await thread().getByText("Can I change my delivery address?").waitFor();
    await page.getByRole("status", { name: "Realtime: Live" }).waitFor();
    await page.getByRole("group", { name: "Conversation actions" }).getByRole("button", { name: "Resolve" }).click();

    const survey = thread().getByRole("listitem", { name: "CSAT survey" });
    await survey.getByText("CSAT survey sent").waitFor();
    await survey.getByText("Please rate this conversation").waitFor();
    await survey.getByText("Not answered yet").waitFor();

    // The end user rates it through the client API; the thread shows it without a reload.
    const messages = (await client(`/contacts/${sourceId}/conversations/${id}/messages`)) as {
      id: number;
      content_type: string;
    }[];
    const surveyId = messages.find((m) => m.content_type === "input_csat")!.id;
    const answered = await fetch(
      `${server.url}/public/api/v1/inboxes/${server.credentials.inboxIdentifier}/contacts/${sourceId}` +
        `/conversations/${id}/messages/${surveyId}`,
      {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          submitted_values: { csat_survey_response: { rating: 4, feedback_message: "Quick and friendly" } },
        }),
      },
    );
    expect(answered.status).toBe(200);
    await survey.getByText("4 / 5").waitFor();
    await survey.getByText("“Quick and friendly”", { exact: false }).waitFor();
    await expectAccessible(page, "CSAT survey in the thread");
    await screenshots(page, "csat-thread");
  });

  it("reads Reports → CSAT: metrics and answers, filtered by date, inbox and agent", async () => {
    // A second survey, sent and never answered: the response rate halves.
    const second = await contactConversation("csat-2", "Ivo Brandt", "Thanks, that's all");
    await agentApi("POST", `/conversations/${second.id}/toggle_status`, { status: "resolved" });
    const other = await agentApi("POST", "/agents", { name: "Pia Agent", email: "pia@example.com", role: "agent" });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { name: "CSAT reports" }).waitFor();
    const metrics = page.getByRole("region", { name: "CSAT metrics" });
    const metric = (name: string) =>
      metrics
        .locator("div")
        .filter({ has: page.getByText(name, { exact: true }) })
        .locator("dd");
    await until("the metrics", async () => (await metric("Surveys sent").textContent()) === "2");
    expect(await metric("Responses").textContent()).toBe("1");
    expect(await metric("Response rate").textContent()).toBe("50%");
    expect(await metric("Satisfaction score").textContent()).toBe("100%");
    expect(await metric("Average rating").textContent()).toBe("4 / 5");
    const ratings = page.getByRole("table", { name: "Responses per rating" });
    // Rows: the header, then 5 down to 1.
    expect(await ratings.getByRole("row").nth(2).getByRole("cell").allTextContents()).toEqual(["★★★★☆ 4", "1"]);

    const table = page.getByRole("table", { name: "CSAT responses" });
    const row = table.getByRole("row").filter({ hasText: "Nora Lind" });
    await row.waitFor();
    expect(await row.getByRole("cell").nth(3).textContent()).toContain("4 / 5");
    expect(await row.getByRole("cell").nth(4).textContent()).toBe("Quick and friendly");
    await expectAccessible(page, "Reports → CSAT");
    await screenshots(page, "csat-report");

    // An agent the survey does not credit: nothing.
    await page.getByLabel("Agent").selectOption(String(other.id));
    await page.getByText("No responses for these filters.").waitFor();
    await until("the agent's metrics", async () => (await metric("Surveys sent").textContent()) === "0");
    await page.getByLabel("Agent").selectOption("");
    await row.waitFor();
    // The inbox the surveys were sent in.
    await page.getByLabel("Inbox").selectOption(String(server.credentials.inboxId));
    await row.waitFor();
    // From tomorrow: nothing yet; up to today: the answer.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("From").fill(day(1));
    await page.getByText("No responses for these filters.").waitFor();
    await page.getByLabel("From").fill(day(-1));
    await page.getByLabel("To").fill(day(0));
    await row.waitFor();
    expect(await metric("Responses").textContent()).toBe("1");
  });

  it("shows a snoozed conversation's wake time, and puts it back in the Open list once the cron wakes it", async () => {
    const { id } = await contactConversation("snooze-1", "Ada Stone", "Call me back next week");
    await page.goto(`${server.url}/app/conversations/${id}`);
    await thread().getByText("Call me back next week").waitFor();
    const actions = page.getByRole("group", { name: "Conversation actions" });
    await actions.getByLabel("Snooze until").fill("2031-03-04T09:30");
    await actions.getByRole("button", { name: "Snooze", exact: true }).click();
    await page.getByText("Status: snoozed").waitFor();
    await actions
      .getByText(`Snoozed until ${new Date("2031-03-04T09:30:00Z").toLocaleString("en-US", { timeZone: "UTC" })}`)
      .waitFor();

    const filters = page.getByRole("region", { name: "Conversations", exact: true });
    await filters.getByRole("button", { name: /^All/ }).click();
    await filters.getByLabel("Status").selectOption("snoozed");
    const entry = conversationList().getByRole("link").filter({ hasText: "Ada Stone" });
    await entry.getByText(/^Snoozed until .*2031/).waitFor();
    await screenshots(page, "snooze");

    // Its time comes (set through the API, a minute ago) and the cron runs: it is open again.
    await agentApi("POST", `/conversations/${id}/toggle_status`, {
      status: "snoozed",
      snoozed_until: Math.floor(Date.now() / 1000) - 60,
    });
    const cron = await fetch(`${server.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(cron.status).toBe(200);
    await page.getByText("Status: open").waitFor();
    await thread().getByText("Conversation was reopened by Automation System").waitFor();
    await filters.getByLabel("Status").selectOption("open");
    await conversationList().getByRole("link").filter({ hasText: "Ada Stone" }).waitFor();
    expect((await agentApi("GET", `/conversations/${id}`)).status).toBe("open");
    expect(errors).toEqual([]);
  });
});
