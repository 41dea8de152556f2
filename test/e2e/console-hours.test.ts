import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentApiOf, CHROMIUM, clientApiOf, expectAccessible, launch, screenshots } from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

const GREETING = "Hi! Thanks for writing, an agent will be with you shortly.";
const AWAY = "We are closed right now; we answer from 8:30 on weekdays.";
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/**
 * The inbox's greeting and business hours in a real Chromium against its own `npm run dev`: an
 * administrator sets a greeting, a conversation opened through the client API shows it in the
 * thread; then the weekly hours, time zone and out-of-office message, and a contact writing while
 * closed gets the out-of-office answer.
 */
describe("the agent console: greeting, business hours and out of office", () => {
  let server: DevServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const agentApi = agentApiOf(() => server);
  const clientApi = clientApiOf(() => server);
  const client = (route: string, body?: unknown) => clientApi(server.credentials.inboxIdentifier, route, body);
  const thread = () => page.getByRole("list", { name: "Messages" });
  const settings = () => page.goto(`${server.url}/app/settings/inboxes/${server.credentials.inboxId}`);
  const hoursPanel = () => page.getByRole("form", { name: "Business hours" });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser] = await Promise.all([startDevServer(), launch()]);
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
    await browser?.close();
    await server?.stop();
  });

  it("sets a greeting that a conversation opened through the client API starts with", async () => {
    await settings();
    const greeting = page.getByRole("form", { name: "Greeting" });
    await greeting.getByLabel("Greet new conversations").check();
    await greeting.getByLabel("Greeting message").fill(GREETING);
    await greeting.getByRole("button", { name: "Save greeting" }).click();
    await page.getByRole("status").filter({ hasText: "Greeting saved" }).waitFor();
    const inbox = await agentApi("GET", `/inboxes/${server.credentials.inboxId}`);
    expect(inbox).toMatchObject({ greeting_enabled: true, greeting_message: GREETING });
    await expectAccessible(page, "inbox settings with greeting and hours");

    const contact = await client("/contacts", { identifier: "hours-1", name: "Greta Holm" });
    const conversation = await client(`/contacts/${contact.source_id}/conversations`, {});
    await page.goto(`${server.url}/app/conversations/${conversation.id}`);
    const greeted = thread().getByRole("listitem", { name: "Greeting" });
    await greeted.getByText(GREETING).waitFor();
    await greeted.getByText("Greeting (automatic)").waitFor();
    await page.getByRole("status", { name: "Realtime: Live" }).waitFor();
    await screenshots(page, "greeting-thread");
  });

  it("edits the weekly hours, time zone and out-of-office message, and refuses closing before opening", async () => {
    await settings();
    const panel = hoursPanel();
    await panel.getByLabel("Answer outside business hours").check();
    await panel.getByLabel("Time zone").selectOption("Europe/Berlin");
    await panel.getByLabel("Out-of-office message").fill(AWAY);
    await panel.getByLabel("Monday hours").selectOption("hours");
    await panel.getByLabel("Monday opens at").fill("08:30");
    await panel.getByLabel("Monday closes at").fill("12:00");
    await panel.getByLabel("Saturday hours").selectOption("all_day");
    await panel.getByLabel("Friday hours").selectOption("closed");
    expect(await panel.getByLabel("Friday opens at").count()).toBe(0);
    // Tuesday closing before it opens: the API refuses it and nothing is saved.
    await panel.getByLabel("Tuesday opens at").fill("18:00");
    await panel.getByLabel("Tuesday closes at").fill("09:00");
    await panel.getByRole("button", { name: "Save business hours" }).click();
    await panel.getByRole("alert").waitFor();
    expect(await panel.getByRole("alert").textContent()).toMatch(/after the opening time/);
    expect((await agentApi("GET", `/inboxes/${server.credentials.inboxId}`)).working_hours_enabled).toBe(false);

    await panel.getByLabel("Tuesday opens at").fill("09:00");
    await panel.getByLabel("Tuesday closes at").fill("17:30");
    await panel.getByRole("button", { name: "Save business hours" }).click();
    await page.getByRole("status").filter({ hasText: "Business hours saved" }).waitFor();
    const inbox = await agentApi("GET", `/inboxes/${server.credentials.inboxId}`);
    expect(inbox).toMatchObject({
      working_hours_enabled: true,
      timezone: "Europe/Berlin",
      out_of_office_message: AWAY,
    });
    expect(inbox.working_hours).toEqual([
      { day_of_week: 0, closed_all_day: true, open_all_day: false, ...noTimes },
      { day_of_week: 1, closed_all_day: false, open_all_day: false, ...times(8, 30, 12, 0) },
      { day_of_week: 2, closed_all_day: false, open_all_day: false, ...times(9, 0, 17, 30) },
      { day_of_week: 3, closed_all_day: false, open_all_day: false, ...times(9, 0, 17, 0) },
      { day_of_week: 4, closed_all_day: false, open_all_day: false, ...times(9, 0, 17, 0) },
      { day_of_week: 5, closed_all_day: true, open_all_day: false, ...noTimes },
      { day_of_week: 6, closed_all_day: false, open_all_day: true, ...times(0, 0, 23, 59) },
    ]);
    // A reload shows what was stored.
    await settings();
    expect(await hoursPanel().getByLabel("Time zone").inputValue()).toBe("Europe/Berlin");
    expect(await hoursPanel().getByLabel("Monday opens at").inputValue()).toBe("08:30");
    expect(await hoursPanel().getByLabel("Saturday hours").inputValue()).toBe("all_day");
    await expectAccessible(page, "business hours");
    await hoursPanel().getByRole("button", { name: "Save business hours" }).scrollIntoViewIfNeeded();
    await screenshots(page, "business-hours");
  });

  it("answers a contact who writes while the inbox is closed with the out-of-office message", async () => {
    await settings();
    const panel = hoursPanel();
    for (const day of WEEKDAYS) await panel.getByLabel(`${day} hours`).selectOption("closed");
    await panel.getByRole("button", { name: "Save business hours" }).click();
    await page.getByRole("status").filter({ hasText: "Business hours saved" }).waitFor();

    const contact = await client("/contacts", { identifier: "hours-2", name: "Otto Weber" });
    const conversation = await client(`/contacts/${contact.source_id}/conversations`, {});
    await page.goto(`${server.url}/app/conversations/${conversation.id}`);
    await thread().getByRole("listitem", { name: "Greeting" }).waitFor();
    await page.getByRole("status", { name: "Realtime: Live" }).waitFor();
    const route = `/contacts/${contact.source_id}/conversations/${conversation.id}/messages`;
    await client(route, { content: "Is anyone there tonight?" });
    await client(route, { content: "Hello?" });
    const away = thread().getByRole("listitem", { name: "Out-of-office message" });
    await away.getByText(AWAY).waitFor();
    await thread().getByText("Hello?").waitFor();
    expect(await away.count()).toBe(1);
    const shown = (await client(route)) as { message_type: number; content: string }[];
    expect(shown.map((m) => [m.message_type, m.content])).toEqual([
      [3, GREETING],
      [0, "Is anyone there tonight?"],
      [3, AWAY],
      [0, "Hello?"],
    ]);
    await screenshots(page, "out-of-office-thread");
    expect(errors).toEqual([]);
  });
});

const noTimes = { open_hour: null, open_minutes: null, close_hour: null, close_minutes: null };
const times = (open_hour: number, open_minutes: number, close_hour: number, close_minutes: number) => ({
  open_hour,
  open_minutes,
  close_hour,
  close_minutes,
});
