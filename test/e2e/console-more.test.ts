import { existsSync, readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import type { Browser, BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentApiOf,
  CHROMIUM,
  clientApiOf,
  expectAccessible,
  launch,
  screenshots,
  startReceiver,
  until,
} from "./console-helpers";
import { startDevServer, type DevServer } from "./dev-server";

/** A w×h PNG of colour bands (real pixels, so the screenshots show the image). */
function png(w: number, h: number) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      rows.set(
        x < w / 3 ? [31, 95, 191] : x < (2 * w) / 3 ? [242, 169, 0] : [60, 207, 110],
        y * (w * 3 + 1) + 1 + x * 3,
      );
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
const PNG = png(240, 120);
const PDF = Buffer.from(`%PDF-1.4\n% Konversio invoice 2211\n${"x".repeat(3000)}\n%%EOF\n`);
const LOG = Buffer.from("2026-01-02 10:00:01 ERROR checkout failed: card declined (code 51)\n");

/**
 * More of the agent console in a real Chromium against its own `npm run dev`: attachments both
 * ways, a failed reply and Retry, the live socket dropping and replaying what it missed, typing
 * both ways, and the conversation controls (snooze, assignee, team, priority, labels) with the
 * list's label and team filters.
 */
describe("the agent console: attachments, delivery, reconnect, typing and controls", () => {
  let server: DevServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const errors: string[] = [];

  // Every /cable socket of the page goes through this route, so the test can drop it the way a
  // network failure would (the server side closes) and refuse reconnects while "offline".
  const cable = { urls: [] as string[], open: [] as { page: WebSocketRoute; server: WebSocketRoute }[], down: false };

  const agentApi = agentApiOf(() => server);
  const clientApi = clientApiOf(() => server);
  const client = (route: string, body?: unknown) => clientApi(server.credentials.inboxIdentifier, route, body);
  const thread = () => page.getByRole("list", { name: "Messages" });
  const live = () => page.getByRole("status", { name: /Realtime/ });
  const actions = () => page.getByRole("group", { name: "Conversation actions" });

  let sourceId: string;
  let conversationId: number;
  let otherConversationId: number;
  let rita: { id: number; name: string };
  let team: { id: number; name: string };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
    [server, browser, receiver] = await Promise.all([
      startDevServer({ devArgs: ["--var", "ALLOW_PRIVATE_WEBHOOK_URLS:true"] }),
      launch(),
      startReceiver(),
    ]);
    await agentApi("PATCH", `/inboxes/${server.credentials.inboxId}`, {
      channel: { webhook_url: `${receiver.url}/inbox` },
    });
    team = await agentApi("POST", "/teams", { name: "Billing" });
    const created = await agentApi("POST", "/agents", { name: "Rita Agent", email: "rita@example.com", role: "agent" });
    rita = { id: created.id, name: created.name };
    await agentApi("POST", "/inbox_members", { inbox_id: server.credentials.inboxId, user_ids: [rita.id] });

    const contact = await client("/contacts", { identifier: "user-777", name: "Lena Berg", email: "lena@example.com" });
    sourceId = contact.source_id;
    conversationId = (await client(`/contacts/${sourceId}/conversations`, {})).id;
    await client(`/contacts/${sourceId}/conversations/${conversationId}/messages`, { content: "I was charged twice" });
    const other = await client("/contacts", { identifier: "user-778", name: "Omar Said" });
    otherConversationId = (await client(`/contacts/${other.source_id}/conversations`, {})).id;
    await client(`/contacts/${other.source_id}/conversations/${otherConversationId}/messages`, {
      content: "Where is my order?",
    });
    await agentApi("POST", `/conversations/${otherConversationId}/labels`, { labels: ["shipping"] });

    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: "UTC",
      acceptDownloads: true,
    });
    await context.routeWebSocket(/\/cable/, (ws) => {
      cable.urls.push(ws.url());
      if (cable.down) return ws.close({ code: 4000, reason: "offline" });
      const entry = { page: ws, server: ws.connectToServer() };
      cable.open.push(entry);
      ws.onClose(() => (cable.open = cable.open.filter((e) => e !== entry)));
    });
    page = await context.newPage();
    page.on("pageerror", (err) => errors.push(String(err)));
    await page.goto(`${server.url}/app/`);
    await page.getByLabel("Email").fill(server.credentials.email);
    await page.getByLabel("Password").fill(server.credentials.password!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Conversations" }).waitFor();
    await page.goto(`${server.url}/app/conversations/${conversationId}`);
    await thread().getByText("I was charged twice").waitFor();
    await page.getByRole("status", { name: "Realtime: Live" }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  it("sends an agent's files (an image shown inline, a file as a download that serves its bytes)", async () => {
    await page.getByLabel("Attach files").setInputFiles([
      { name: "receipt.png", mimeType: "image/png", buffer: PNG },
      { name: "invoice-2211.pdf", mimeType: "application/pdf", buffer: PDF },
    ]);
    await page.getByText("receipt.png, invoice-2211.pdf").waitFor();
    await page.getByLabel("Reply").fill("Here are your receipt and invoice");
    await page.getByRole("button", { name: "Send" }).click();

    const sent = page
      .getByRole("listitem", { name: /Outgoing message from/ })
      .filter({ hasText: "Here are your receipt and invoice" });
    const image = sent.getByRole("img", { name: "receipt.png" });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240);
    const link = sent.getByRole("link", { name: /Download invoice-2211\.pdf/ });
    await link.waitFor();
    // The reply box is empty again, files included.
    expect(await page.getByLabel("Reply").inputValue()).toBe("");
    expect(await page.getByLabel("Attach files").evaluate((i: HTMLInputElement) => i.files?.length)).toBe(0);

    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe("invoice-2211.pdf");
    expect(readFileSync(await download.path())).toEqual(PDF);

    // The inbox's webhook_url gets the reply with both files.
    const created = await until("message_created with attachments", () =>
      receiver.received.find(
        (r) => r.json.event === "message_created" && r.json.content === "Here are your receipt and invoice",
      ),
    );
    expect(created.json.attachments.map((a: { file_type: string }) => a.file_type).sort()).toEqual(["file", "image"]);
  });

  it("sends files larger together than one request may be, and refuses one over 40 MB before sending", async () => {
    const MB = 1024 * 1024;
    // 21 MB each: 42 MB together, past a message create's 41 MiB body, so each goes as its own upload.
    const big = (n: number) => Buffer.alloc(21 * MB, n);
    await page.getByLabel("Attach files").setInputFiles([
      { name: "scan-1.bin", mimeType: "application/octet-stream", buffer: big(1) },
      { name: "scan-2.bin", mimeType: "application/octet-stream", buffer: big(2) },
    ]);
    await page.getByLabel("Reply").fill("Both scans");
    await page.getByRole("button", { name: "Send" }).click();
    const sent = page.getByRole("listitem", { name: /Outgoing message from/ }).filter({ hasText: "Both scans" });
    await sent.getByRole("link", { name: /Download scan-2\.bin/ }).waitFor({ timeout: 30_000 });
    const href = await sent.getByRole("link", { name: /Download scan-1\.bin/ }).getAttribute("href");
    // The agent's session opens it (the browser context's cookies), through a link signed now.
    const file = await page.request.get(new URL(href!, server.url).href);
    expect(file.status()).toBe(200);
    expect((await file.body()).equals(big(1))).toBe(true);

    await page
      .getByLabel("Attach files")
      .setInputFiles([
        { name: "too-big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(40 * MB + 1) },
      ]);
    await page.getByLabel("Reply").fill("This one is too big");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByRole("alert").filter({ hasText: "too-big.bin is larger than 40 MB" }).waitFor();
    // Nothing was sent: the text and the file wait in the reply box.
    expect(await page.getByLabel("Reply").inputValue()).toBe("This one is too big");
    expect(await page.getByText("This one is too big", { exact: true }).count()).toBe(0);
    await page.getByLabel("Attach files").setInputFiles([]);
    await page.getByLabel("Reply").fill("");
  });

  it(
    "shows an end user's files sent through the client API " + "(multipart attachments[]) in the open conversation",
    async () => {
      const form = new FormData();
      form.set("content", "Screenshot and log attached");
      form.append("attachments[]", new Blob([PNG], { type: "image/png" }), "screen.png");
      form.append("attachments[]", new Blob([LOG], { type: "text/plain" }), "checkout.log");
      await client(`/contacts/${sourceId}/conversations/${conversationId}/messages`, form);

      const incoming = page
        .getByRole("listitem", { name: /Incoming message from Lena Berg/ })
        .filter({ hasText: "Screenshot and log attached" });
      const image = incoming.getByRole("img", { name: "screen.png" });
      await image.waitFor({ timeout: 15_000 });
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240);
      const link = incoming.getByRole("link", { name: /Download checkout\.log/ });
      const href = await link.getAttribute("href");
      // The page links the file, not a signed URL that expires an hour after the thread loaded:
      // opened, it redirects to a link signed at that moment.
      expect(href).toMatch(/^\/api\/v1\/accounts\/\d+\/conversations\/\d+\/attachments\/\d+$/);
      const opened = await page.request.get(new URL(href!, server.url).href, { maxRedirects: 0 });
      expect(opened.status()).toBe(302);
      const signed = new URL(opened.headers().location);
      expect(signed.pathname).toMatch(/\/checkout\.log$/);
      expect(Number(signed.searchParams.get("expires"))).toBeGreaterThan(Date.now() / 1000 + 3500);
      const file = await fetch(signed);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer())).toEqual(LOG);
      // Without the agent's session the route says who is missing, and shows nothing.
      expect((await fetch(new URL(href!, server.url), { redirect: "manual" })).status).toBe(401);
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toBe("checkout.log");
      expect(readFileSync(await download.path())).toEqual(LOG);
      await expectAccessible(page, "conversation with attachments");
    },
  );

  it("shows a reply whose delivery failed with its error and Retry, which re-sends it", async () => {
    await page.getByLabel("Reply").fill("Your refund is on its way");
    await page.getByRole("button", { name: "Send" }).click();
    const reply = page
      .getByRole("listitem", { name: /Outgoing message from/ })
      .filter({ hasText: "Your refund is on its way" });
    await reply.getByText("Delivery: sent").waitFor();
    const first = await until("message_created for the reply", () =>
      receiver.received.find(
        (r) => r.json.event === "message_created" && r.json.content === "Your refund is on its way",
      ),
    );
    const messageId = first.json.id as number;

    // The integrator reports that it could not deliver it to the end user.
    await agentApi("PATCH", `/conversations/${conversationId}/messages/${messageId}`, {
      status: "failed",
      external_error: "Device unreachable",
    });
    await reply.getByText("Delivery: failed").waitFor({ timeout: 15_000 });
    await reply.getByText("Device unreachable").waitFor();
    // After a reload too (the API's state, not only the live frame).
    await page.reload();
    await reply.getByText("Delivery: failed").waitFor();
    await page
      .getByRole("list", { name: "Conversation list" })
      .getByRole("link", { name: /Lena Berg/ })
      .waitFor();
    await page.getByRole("complementary", { name: "Contact" }).getByText("user-777").waitFor();
    await reply.scrollIntoViewIfNeeded();
    await screenshots(page, "attachments");

    const retry = page.waitForResponse(
      (r) =>
        r.request().method() === "POST" &&
        r.url().endsWith(`/conversations/${conversationId}/messages/${messageId}/retry`),
    );
    await reply.getByRole("button", { name: "Retry" }).click();
    expect((await retry).status()).toBe(200);
    await reply.getByText("Delivery: sent").waitFor();
    expect(await reply.getByRole("button", { name: "Retry" }).count()).toBe(0);
    expect(await reply.getByText("Device unreachable").count()).toBe(0);
    // The same delivery is sent again, with the same webhook-id.
    await until(
      "the redelivered message_created",
      () =>
        receiver.received.filter(
          (r) =>
            r.json.event === "message_created" &&
            r.json.id === messageId &&
            r.headers["webhook-id"] === first.headers["webhook-id"],
        ).length >= 2,
    );
    const stored = (await agentApi("GET", `/conversations/${conversationId}/messages`)).payload.find(
      (m: { id: number }) => m.id === messageId,
    );
    expect(stored.status).toBe("sent");
  });

  it("drops the live socket, replays a message posted while it was down, without a reload", async () => {
    await expect.poll(() => live().textContent()).toContain("Live");
    expect(cable.open.length).toBe(1);
    await page.evaluate(() => ((window as unknown as { testMarker: number }).testMarker = 42));
    const before = cable.urls.length;
    cable.down = true;
    for (const { server: side } of cable.open) side.close({ code: 4000, reason: "network drop" });
    await expect.poll(() => live().textContent()).toContain("Reconnecting…");

    await client(`/contacts/${sourceId}/conversations/${conversationId}/messages`, { content: "Hello? Anyone there?" });
    // At least one reconnect is refused while "offline" (so the message was missed), then back.
    await until("a refused reconnect", () => cable.urls.length > before);
    cable.down = false;
    await expect.poll(() => live().textContent(), { timeout: 30_000 }).toContain("Live");
    await thread().getByText("Hello? Anyone there?").waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { testMarker?: number }).testMarker)).toBe(42);
    // The server set the agent offline while no socket was open (auto_offline) and online again.
    await expect.poll(() => page.getByLabel("Availability").inputValue()).toBe("online");
    // Every reconnect asked for what it missed.
    for (const url of cable.urls.slice(before)) expect(new URL(url).searchParams.get("since")).toMatch(/^\d+$/);
    expect(new Set(await thread().getByText("Hello? Anyone there?").allTextContents()).size).toBe(1);
    expect(await thread().getByText("Hello? Anyone there?").count()).toBe(1);
  });

  it("sends the agent's typing (on, then off when sent) and shows the end user's typing start and stop", async () => {
    const from = receiver.received.length;
    const typingEvents = (event: string) =>
      receiver.received
        .slice(from)
        .filter((r) => r.path === "/inbox" && r.json.event === event && r.json.conversation?.id === conversationId);
    await page.getByLabel("Reply").pressSequentially("Let me check", { delay: 20 });
    const on = await until("conversation_typing_on", () => typingEvents("conversation_typing_on")[0]);
    expect(on.json.is_private).toBe(false);
    expect(on.json.user.name).toBe("Demo Admin");
    await page.getByRole("button", { name: "Send" }).click();
    await until("conversation_typing_off", () => typingEvents("conversation_typing_off")[0]);
    expect(typingEvents("conversation_typing_on").length).toBe(1);

    await client(`/contacts/${sourceId}/conversations/${conversationId}/toggle_typing`, { typing_status: "on" });
    await page.getByText("Lena Berg is typing…").waitFor();
    await client(`/contacts/${sourceId}/conversations/${conversationId}/toggle_typing`, { typing_status: "off" });
    await expect.poll(() => page.getByText("Lena Berg is typing…").count()).toBe(0);
  });

  it("assigns an agent, sets team, priority and labels through the controls, each kept after a reload", async () => {
    const assignee = actions().getByLabel("Assignee");
    await expect.poll(() => assignee.locator("option").count()).toBeGreaterThan(1);
    const stored = () => agentApi("GET", `/conversations/${conversationId}`);
    await assignee.selectOption(String(rita.id));
    await expect.poll(async () => (await stored()).meta.assignee?.id).toBe(rita.id);
    await thread().getByText(`Assigned to ${rita.name} by Demo Admin`).waitFor();
    await actions().getByLabel("Team").selectOption(String(team.id));
    await expect.poll(async () => (await stored()).meta.team?.id).toBe(team.id);
    await thread()
      .getByText(/Assigned to billing by Demo Admin/i)
      .waitFor();
    await actions().getByLabel("Priority").selectOption("high");
    await expect.poll(async () => (await stored()).priority).toBe("high");
    await thread().getByText("Demo Admin set the priority to high").waitFor();
    await actions().getByLabel("Labels").fill("refund, vip");
    await actions().getByRole("button", { name: "Save labels" }).click();
    await expect.poll(async () => [...(await stored()).labels].sort()).toEqual(["refund", "vip"]);
    await thread()
      .getByText(/added refund/)
      .waitFor();
    expect((await stored()).meta.assignee.id, "setting the team kept the assignee").toBe(rita.id);
    expect(await actions().getByRole("alert").count()).toBe(0);

    await page.reload();
    await thread().getByText("I was charged twice").waitFor();
    await expect.poll(() => actions().getByLabel("Assignee").inputValue()).toBe(String(rita.id));
    await expect.poll(() => actions().getByLabel("Team").inputValue()).toBe(String(team.id));
    expect(await actions().getByLabel("Priority").inputValue()).toBe("high");
    expect(await actions().getByLabel("Labels").inputValue()).toBe("refund, vip");
    await expectAccessible(page, "conversation controls");
  });

  it("filters the conversation list by label and by team", async () => {
    const list = page.getByRole("list", { name: "Conversation list" });
    const filters = page.getByRole("region", { name: "Conversations", exact: true });
    await filters.getByRole("button", { name: /^All/ }).click();
    const lena = list.getByRole("link", { name: /Lena Berg/ });
    const omar = list.getByRole("link", { name: /Omar Said/ });
    await lena.waitFor();
    await omar.waitFor();

    const label = filters.getByLabel("Label");
    await label.fill("refund");
    await expect.poll(() => omar.count()).toBe(0);
    expect(await lena.count()).toBe(1);
    await label.fill("shipping");
    await expect.poll(() => lena.count()).toBe(0);
    expect(await omar.count()).toBe(1);
    await label.fill("");
    await lena.waitFor();

    await filters.getByLabel("Team").selectOption(String(team.id));
    await expect.poll(() => omar.count()).toBe(0);
    expect(await lena.count()).toBe(1);
    await label.fill("shipping");
    await page.getByText("No conversations here.").waitFor();
    await label.fill("");
    await filters.getByLabel("Team").selectOption("");
    await omar.waitFor();
    await page.goto(`${server.url}/app/`);
    await filters.getByRole("button", { name: /^All/ }).click();
    await filters.getByLabel("Label").fill("refund");
    await expect.poll(() => omar.count()).toBe(0);
    await screenshots(page, "list");
    await page.goto(`${server.url}/app/conversations/${conversationId}`);
  });

  it("snoozes until a date and time, kept after a reload, and reopens", async () => {
    await actions().getByLabel("Snooze until").fill("2031-03-04T09:30");
    await actions().getByRole("button", { name: "Snooze", exact: true }).click();
    await page.getByText("Status: snoozed").waitFor();
    const until_ = Date.UTC(2031, 2, 4, 9, 30) / 1000;
    const api = await agentApi("GET", `/conversations/${conversationId}`);
    expect(api.status).toBe("snoozed");
    expect(api.snoozed_until).toBe(until_);

    await page.reload();
    await page.getByText("Status: snoozed").waitFor();
    await actions()
      .getByText(/Snoozed until .*2031/)
      .waitFor();
    // The list's Snoozed view has it.
    const filters = page.getByRole("region", { name: "Conversations", exact: true });
    await filters.getByRole("button", { name: /^All/ }).click();
    await filters.getByLabel("Status").selectOption("snoozed");
    await page
      .getByRole("list", { name: "Conversation list" })
      .getByRole("link", { name: /Lena Berg/ })
      .waitFor();

    await actions().getByRole("button", { name: "Reopen" }).click();
    await page.getByText("Status: open").waitFor();
    expect((await agentApi("GET", `/conversations/${conversationId}`)).status).toBe("open");
    expect(errors).toEqual([]);
  });

  it(
    "loads older messages above the latest 20, keeps them " +
      "through live messages and reloads, then hides the button",
    async () => {
      const contact = await client("/contacts", { identifier: "user-779", name: "Ada Page" });
      const id = (await client(`/contacts/${contact.source_id}/conversations`, {})).id as number;
      const text = (n: number) => `Long thread message ${String(n).padStart(2, "0")}`;
      for (let n = 1; n <= 26; n++)
        await client(`/contacts/${contact.source_id}/conversations/${id}/messages`, { content: text(n) });

      await page.goto(`${server.url}/app/conversations/${id}`);
      await thread().getByText(text(26), { exact: true }).waitFor();
      const shown = async () =>
        (await thread().locator(".content").allTextContents()).filter((t) => t.startsWith("Long thread message"));
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => text(from + i));
      expect(await shown()).toEqual(range(7, 26));
      const older = page.getByRole("button", { name: "Load older messages" });
      await older.waitFor();
      await expectAccessible(page, "conversation with older messages");

      // What was the first message stays where it was on screen when older ones come in above it.
      const top = () =>
        thread()
          .getByText(text(7), { exact: true })
          .evaluate((el) => el.getBoundingClientRect().top);
      await older.scrollIntoViewIfNeeded();
      const before = await top();
      await older.click();
      await thread().getByText(text(1), { exact: true }).waitFor();
      expect(await shown()).toEqual(range(1, 26));
      expect(Math.abs((await top()) - before)).toBeLessThan(4);
      // Nothing is older than message 1: the button goes away, the focus stays in the thread.
      await expect.poll(() => older.count()).toBe(0);
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Messages");

      // A live message and a reload of the latest page (a status change) keep the older ones, once each.
      await client(`/contacts/${contact.source_id}/conversations/${id}/messages`, { content: text(27) });
      await thread().getByText(text(27), { exact: true }).waitFor({ timeout: 15_000 });
      const reloaded = page.waitForResponse(
        (r) =>
          r.request().method() === "GET" &&
          new URL(r.url()).pathname.endsWith(`/conversations/${id}/messages`) &&
          !r.url().includes("before="),
      );
      await agentApi("POST", `/conversations/${id}/toggle_status`, { status: "pending" });
      await page.getByText("Status: pending").waitFor();
      await (await reloaded).finished();
      await thread()
        .getByText(/pending/i)
        .first()
        .waitFor();
      expect(await shown()).toEqual(range(1, 27));
      expect(await older.count()).toBe(0);
      expect(errors).toEqual([]);
    },
  );
});
