import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

/** What `npm run dev` prints about the seeded demo data. */
export type DemoCredentials = {
  accountId: number;
  email: string;
  token: string;
  inboxId: number;
  inboxIdentifier: string;
};

export type DevServer = {
  url: string;
  port: number;
  persistDir: string;
  credentials: DemoCredentials;
  /** Everything the dev script and wrangler printed so far. */
  output: () => string;
  stop: () => Promise<void>;
};

export const freshPersistDir = () => mkdtempSync(path.join(tmpdir(), "konversio-e2e-"));

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function parseCredentials(output: string): DemoCredentials | null {
  const field = (label: string) => output.match(new RegExp(`^\\s*${label}:\\s+(\\S+)\\s*$`, "m"))?.[1];
  const [accountId, email, token, inboxId, inboxIdentifier] = [
    "account id",
    "agent email",
    "access token",
    "inbox id",
    "inbox identifier",
  ].map(field);
  if (!accountId || !email || !token || !inboxId || !inboxIdentifier) return null;
  return { accountId: Number(accountId), email, token, inboxId: Number(inboxId), inboxIdentifier };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// Process groups still running; if the test worker exits without afterAll, they go with it.
const running = new Set<number>();
process.once("exit", () => {
  for (const pgid of running) if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
});

/** Stops the whole process group (npm, the dev script, wrangler, workerd) and waits for it to go. */
async function stopGroup(child: ChildProcess) {
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
 * Runs `npm run dev -- --port <free port> --persist-to <dir>` in its own process group and
 * resolves once `GET /api` answers 200 and the demo credentials have been printed.
 */
export async function startDevServer(opts: { persistDir?: string; timeoutMs?: number } = {}): Promise<DevServer> {
  // A directory made here is removed again by stop(); a caller's own is left to the caller.
  const persistDir = opts.persistDir ?? freshPersistDir();
  const ownsDir = opts.persistDir === undefined;
  const port = await freePort();
  // wrangler probes from 9229 for a devtools port; servers starting side by side could collide.
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ["--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", persistDir];
  // detached = setsid: the child leads a new process group we can kill as a whole; killing only
  // the npm pid would orphan wrangler and workerd.
  const child = spawn("npm", ["run", "dev", "--", ...args], {
    cwd: projectRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", NO_COLOR: "1" },
  });
  if (child.pid) running.add(child.pid);
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (output += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (output += s));
  let exited: string | null = null;
  child.on("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));

  const server: DevServer = {
    url,
    port,
    persistDir,
    credentials: null as unknown as DemoCredentials,
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

/** Runs SQL against the local D1 database in `persistDir` (with no server on it) and returns the rows. */
export async function queryLocalD1<T = Record<string, unknown>>(persistDir: string, sql: string): Promise<T[]> {
  const wrangler = path.join(projectRoot, "node_modules", "wrangler", "bin", "wrangler.js");
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [wrangler, "d1", "execute", "DB", "--local", "--persist-to", persistDir, "--json", "--command", sql],
    { cwd: projectRoot, env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" } },
  );
  const results = JSON.parse(stdout) as { results: T[] }[];
  return results.flatMap((r) => r.results);
}
