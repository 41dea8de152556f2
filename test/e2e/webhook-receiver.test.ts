import type { ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, projectRoot, spawnGroup, startDevServer, stopGroup, type DevServer } from "./dev-server";

/**
 * The README's "Seeing replies arrive by webhook" section, typed into one shell after the
 * walk-through, as a developer would: each block goes in once the previous one is done, the
 * receiver from examples/webhook-receiver runs in that shell's background, and what it prints
 * is checked against the README.
 */

function section(title: string) {
  const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
  const text = readme.split(new RegExp(`^## ${title}$`, "m"))[1]?.split(/^## /m)[0];
  if (!text) throw new Error(`README has no ## ${title} section`);
  const blocks = (lang: string) =>
    [...text.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((m) => m[1]);
  return { sh: blocks("sh"), text: blocks("text") };
}

const walkThrough = section("Walk-through").sh.join("\n");
const webhook = section("Seeing replies arrive by webhook");

let server: DevServer;
let shell: ChildProcess;
let receiverPort: number;
let stdout = "";
let stderr = "";
let shellExit: number | null | undefined;

const api = async (method: string, route: string, body?: unknown) => {
  const { accountId, token } = server.credentials;
  const res = await fetch(`${server.url}/api/v1/accounts/${accountId}${route}`, {
    method,
    headers: { api_access_token: token, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${route}`).toBe(200);
  return res.json();
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` returns something truthy; fails early if the shell died. */
async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const result = await check();
    if (result) return result as NonNullable<T>;
    if (shellExit !== undefined) break;
  }
  throw new Error(
    `no ${what} (shell ` +
      `${shellExit === undefined ? "running" : `exited ${shellExit}`})\nstdout:\n${stdout}\nstderr:\n${stderr}`,
  );
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const lines = () => stdout.split("\n");
const inboxDeliveries = async () => (await api("GET", `/inboxes/${server.credentials.inboxId}/deliveries`)).payload;

beforeAll(async () => {
  // --var: the test does not depend on the developer's own .dev.vars being up to date.
  server = await startDevServer({ devArgs: ["--var", "ALLOW_PRIVATE_WEBHOOK_URLS:true"] });
  receiverPort = await freePort();
  // A shell reading its commands from stdin; in its own process group, with the receiver it starts.
  shell = spawnGroup("bash", [], {
    cwd: projectRoot,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, RECEIVER_PORT: String(receiverPort) },
  });
  shell.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  shell.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  shell.on("exit", (code) => (shellExit = code));
});

afterAll(async () => {
  if (shell) await stopGroup(shell);
  await server?.stop();
});

describe("README: seeing replies arrive by webhook", () => {
  it("has four command blocks and the output the receiver prints", () => {
    expect(webhook.sh).toHaveLength(4);
    expect(webhook.text).toHaveLength(1);
  });

  it("prints the agent's reply in the receiver, both signatures verified", async () => {
    const exportLine = server.output().match(/^\s*(export KONVERSIO=.*)$/m)?.[1];
    expect(exportLine).toBeDefined();
    const [pointInbox, startReceiver, reply] = webhook.sh;
    shell.stdin!.write(`set -euo pipefail\n${exportLine}\n${walkThrough}\n${pointInbox}\n${startReceiver}\n`);
    await until("listening line", () =>
      stdout.includes(`Webhook receiver listening on http://127.0.0.1:${receiverPort}/`),
    );

    shell.stdin!.write(reply);
    // The README shows the output with example numbers: the ids and the sequence may differ.
    const [, shown] = webhook.text[0].trim().split("\n");
    const pattern = escapeRegExp(shown.replace(/#\d+/, "#ID").replace(/seq \d+/, "seq N"))
      .replace("ID", "(\\d+)")
      .replace("seq N", "seq \\d+");
    const replyId = await until("the receiver's line", () => stdout.match(new RegExp(`^${pattern}$`, "m"))?.[1]);
    await until("the reply's id from field", () => lines().includes(replyId));
    expect(stderr).toBe("");

    // The receiver answers 401 to anything it cannot verify, so a 200 on the first attempt
    // means both signatures and the timestamps checked out.
    const delivery = (await inboxDeliveries()).find((d: { event: string }) => d.event === "message_created");
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, last_status_code: 200 });
  });

  it("answers 401 to a bad signature or a stale timestamp", async () => {
    const { secret } = await api("GET", `/inboxes/${server.credentials.inboxId}`);
    const body = JSON.stringify({
      event: "message_created",
      sequence: 99,
      id: 999,
      content: "signed by the test",
      message_type: "outgoing",
      conversation: { id: 1 },
    });
    const send = (id: string, timestamp: number, tamper: "none" | "standard" | "chatwoot") => {
      const standard = createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64"))
        .update(`${id}.${timestamp}.${body}`)
        .digest("base64");
      const chatwoot = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
      const flip = (s: string) => (s[0] === "a" ? "b" : "a") + s.slice(1);
      return fetch(`http://127.0.0.1:${receiverPort}/`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": `v1,${tamper === "standard" ? flip(standard) : standard}`,
          "x-chatwoot-delivery": id,
          "x-chatwoot-timestamp": String(timestamp),
          "x-chatwoot-signature": `sha256=${tamper === "chatwoot" ? flip(chatwoot) : chatwoot}`,
        },
        body,
      });
    };
    const now = Math.floor(Date.now() / 1000);
    expect((await send("msg_forged1", now, "standard")).status).toBe(401);
    expect((await send("msg_forged2", now, "chatwoot")).status).toBe(401);
    expect((await send("msg_stale", now - 6 * 60, "none")).status).toBe(401);
    await until("three rejections", () => stderr.trim().split("\n").length === 3);
    expect(stderr.trim().split("\n")).toEqual([
      "rejected msg_forged1: bad webhook-signature",
      "rejected msg_forged2: bad X-Chatwoot-Signature",
      "rejected msg_stale: timestamp missing or more than 5 minutes off",
    ]);

    // Correctly signed, the same kind of request is accepted and printed.
    expect((await send("msg_signed_here", now, "none")).status).toBe(200);
    await until("the locally signed event", () => lines().some((l) => l.startsWith("message_created #999 ")));
  });

  it("prints a redelivered event only once (same webhook-id)", async () => {
    const { inboxId } = server.credentials;
    const delivery = (await inboxDeliveries()).find((d: { event: string }) => d.event === "message_created");
    const before = stdout;
    await api("POST", `/inboxes/${inboxId}/deliveries/${delivery.id}/redeliver`);
    const again = await until("the second attempt", async () => {
      const row = (await inboxDeliveries()).find((d: { id: number }) => d.id === delivery.id);
      return row.attempts === 2 && row.status !== "pending" && row;
    });
    expect(again).toMatchObject({ status: "delivered", last_status_code: 200, webhook_id: delivery.webhook_id });
    await sleep(500);
    expect(stdout).toBe(before);
  });

  it("is the code docs/webhooks.md shows for verifying signatures", () => {
    const docs = readFileSync(path.join(projectRoot, "docs", "webhooks.md"), "utf8");
    const snippet = docs.match(/^```js\n([\s\S]*?)^```$/m)?.[1];
    expect(snippet).toBeDefined();
    const receiver = readFileSync(path.join(projectRoot, "examples", "webhook-receiver", "receiver.mjs"), "utf8").split(
      "\n",
    );
    for (const line of snippet!.split("\n").filter((l) => l.trim())) expect(receiver).toContain(line);
  });

  it("stops the receiver and clears webhook_url with the last block", async () => {
    shell.stdin!.end(webhook.sh[3]);
    await until("the shell to finish", () => shellExit !== undefined);
    expect(shellExit).toBe(0);
    expect(lines().filter(Boolean).at(-1)).toBe("null");
    const inbox = await api("GET", `/inboxes/${server.credentials.inboxId}`);
    expect(inbox.webhook_url).toBeNull();
    await expect(fetch(`http://127.0.0.1:${receiverPort}/`)).rejects.toThrow();
  });
});
