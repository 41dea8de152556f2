import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../scripts/dev-server.mjs";

// Starting `npm run dev` in the background lives in scripts/, where `npm run bench` uses it too.
export {
  freePort,
  freshPersistDir,
  parseCredentials,
  projectRoot,
  spawnGroup,
  startDevServer,
  stopGroup,
  type DemoCredentials,
  type DevServer,
} from "../../scripts/dev-server.mjs";

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
