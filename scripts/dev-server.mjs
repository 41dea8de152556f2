// Runs `npm run dev` in the background for scripts and tests (scripts/bench/,
// test/e2e/dev-server.ts): on a free port, with its own database, in its own process group so
// that stopping it stops wrangler and workerd too. Types: dev-server.d.mts.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** Offline and quiet: no cf.json fetch, no banner, no metrics. */
const wranglerEnv = () => ({
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_SEND_METRICS: "false",
  CI: "true",
});

/** Runs the project's wrangler with these arguments; resolves with its stdout, rejects with its output. */
export async function runWrangler(args) {
  const bin = path.join(projectRoot, "node_modules", "wrangler", "bin", "wrangler.js");
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd: projectRoot,
      env: wranglerEnv(),
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    throw new Error(`wrangler ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

/** Runs SQL against the local D1 database in `persistDir` (with no server on it) and returns the rows. */
export async function queryLocalD1(persistDir, sql) {
  const stdout = await runWrangler([
    "d1",
    "execute",
    "DB",
    "--local",
    "--persist-to",
    persistDir,
    "--json",
    "--command",
    sql,
  ]);
  return JSON.parse(stdout).flatMap((r) => r.results);
}

export const freshPersistDir = () => mkdtempSync(path.join(tmpdir(), "konversio-e2e-"));

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The demo credentials `npm run dev` prints, or null while they are not all there. */
export function parseCredentials(output) {
  const field = (label) => output.match(new RegExp(`^\\s*${label}:\\s+(\\S+)\\s*$`, "m"))?.[1];
  const [accountId, email, token, inboxId, inboxIdentifier] = [
    "account id",
    "agent email",
    "access token",
    "inbox id",
    "inbox identifier",
  ].map(field);
  if (!accountId || !email || !token || !inboxId || !inboxIdentifier) return null;
  return {
    accountId: Number(accountId),
    email,
    password: field("agent password"),
    token,
    inboxId: Number(inboxId),
    inboxIdentifier,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// Process groups still running; if the process exits without stopping them, they go with it.
const running = new Set();
process.once("exit", () => {
  for (const pgid of running) if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
});

/** Stops a child's whole process group and waits for it to go (SIGTERM, then SIGKILL after 10 s). */
export async function stopGroup(child) {
  const pgid = child.pid;
  if (!pgid) return;
  if (groupAlive(pgid)) {
    process.kill(-pgid, "SIGTERM");
    for (let waited = 0; waited < 10_000 && groupAlive(pgid); waited += 100) await sleep(100);
    if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
  }
  running.delete(pgid);
}

/**
 * Spawns a command as the leader of a new process group (detached = setsid), remembered so it
 * is killed if this process exits first. Stop it with `stopGroup`: killing only its pid would
 * orphan its children (npm → node → wrangler → workerd).
 */
export function spawnGroup(command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid) running.add(child.pid);
  return child;
}

/**
 * Runs `npm run dev -- --port <free port> --persist-to <dir> <devArgs>` and resolves once
 * `GET /api` answers 200 and the demo credentials have been printed.
 */
export async function startDevServer(opts = {}) {
  // A directory made here is removed again by stop(); a caller's own is left to the caller.
  const persistDir = opts.persistDir ?? freshPersistDir();
  const ownsDir = opts.persistDir === undefined;
  const port = await freePort();
  // wrangler probes from 9229 for a devtools port; servers starting side by side could collide.
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    ...(opts.devArgs ?? []),
  ];
  const child = spawnGroup("npm", ["run", "dev", "--", ...args], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", NO_COLOR: "1" },
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (s) => (output += s));
  child.stderr.setEncoding("utf8").on("data", (s) => (output += s));
  let exited = null;
  child.on("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));

  const server = {
    url,
    port,
    persistDir,
    credentials: null,
    output: () => output,
    stop: async () => {
      await stopGroup(child);
      if (ownsDir) rmSync(persistDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  try {
    while (true) {
      if (exited) throw new Error(`npm run dev ${exited} before it was ready:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm run dev was not ready in time:\n${output}`);
      const ready = await fetch(`${url}/api`).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ready) break;
      await sleep(200);
    }
    const credentials = parseCredentials(output);
    if (!credentials) throw new Error(`no demo credentials in the output:\n${output}`);
    server.credentials = credentials;
    return server;
  } catch (err) {
    await server.stop();
    throw err;
  }
}
