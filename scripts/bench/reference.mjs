// The reference workers of scripts/bench/reference/, started with `wrangler dev` on free ports for
// one bench run: the floor (one D1 insert + one queue send) and a bare Hono route. Every route's
// figures are printed as ratios to them, measured in the same run on the same machine.
import { rmSync } from "node:fs";
import path from "node:path";
import { freePort, freshPersistDir, projectRoot, spawnGroup, stopGroup } from "../dev-server.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startReference(name) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const persistDir = freshPersistDir();
  const config = path.join(projectRoot, "scripts/bench/reference", `${name}.toml`);
  const child = spawnGroup(
    "npx",
    ["wrangler", "dev", "--config", config, "--port", String(port), "--inspector-port", String(inspectorPort)].concat([
      "--persist-to",
      persistDir,
      "--ip",
      "127.0.0.1",
    ]),
    { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true", NO_COLOR: "1" } },
  );
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (s) => (output += s));
  child.stderr.setEncoding("utf8").on("data", (s) => (output += s));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child);
    rmSync(persistDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const ready = await fetch(url, {
      method: name === "floor" ? "POST" : "GET",
      body: name === "floor" ? "x" : undefined,
    })
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return { url, stop };
    await sleep(200);
  }
  await stop();
  throw new Error(`the ${name} reference worker did not start:\n${output}`);
}
