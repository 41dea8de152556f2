import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, startDevServer, type DevServer } from "./dev-server";

/** The README's walk-through, run exactly as written against a fresh `npm run dev`. */
let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

function sectionScript(title: string, minBlocks: number): string {
  const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
  const section = readme.split(new RegExp(`^## ${title}$`, "m"))[1]?.split(/^## /m)[0];
  if (!section) throw new Error(`README has no ## ${title} section`);
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(minBlocks);
  return blocks.join("\n");
}

const walkThroughScript = () => sectionScript("Walk-through", 6);

describe("README walk-through", () => {
  it("runs as written, with the export line npm run dev prints", async () => {
    const exportLine = server.output().match(/^\s*(export KONVERSIO=.*)$/m)?.[1];
    expect(exportLine).toBeDefined();
    const script = `set -euo pipefail\n${exportLine}\n${walkThroughScript()}`;
    const { stdout } = await promisify(execFile)("bash", ["-c", script], { cwd: projectRoot, timeout: 60_000 });
    const lines = stdout.trim().split("\n");
    expect(lines).toEqual([
      "contact: 1",
      "conversation: 1",
      "My order has not arrived",
      "Sorry about that! It ships today.",
      "true",
      // The demo inbox routes automatically: Chatwoot's "Assigned to … by Automation System" activity is the fourth.
      "4",
      "resolved",
      "same contact: 1",
      "1",
    ]);
  });

  it("runs the client API section (an app's flow) after it, as written", async () => {
    const exportLine = server.output().match(/^\s*(export KONVERSIO=.*)$/m)?.[1];
    const script =
      `set -euo ` +
      `pipefail\n${exportLine}\n${walkThroughScript()}\n${sectionScript("From an app: the client API", 4)}`;
    const { stdout } = await promisify(execFile)("bash", ["-c", script], { cwd: projectRoot, timeout: 60_000 });
    const lines = stdout.trim().split("\n").slice(-5);
    expect(lines).toEqual([
      "Where is my parcel?",
      "It is out for delivery.",
      // The app sees the user's message and the reply, not the routing activity.
      "It is out for delivery.",
      "same session",
      "2",
    ]);
  });
});
