import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "./dev-server";

/** Runs scripts/deploy.mjs with no Cloudflare credentials: every refusal must come before wrangler runs. */
function deploy(...args: string[]) {
  const env = { ...process.env, CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_ACCOUNT_ID: "" };
  const run = spawnSync(process.execPath, [path.join(projectRoot, "scripts", "deploy.mjs"), ...args], {
    cwd: projectRoot,
    env,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe("npm run deploy", () => {
  it("refuses to deploy when no environment is named, before running wrangler", () => {
    const { code, out } = deploy();
    expect(code).toBe(1);
    expect(out).toContain("deploy: name the environment to deploy: npm run deploy -- <staging|production>");
    expect(out).not.toContain("wrangler d1 migrations apply");
  });

  it("refuses an environment wrangler.toml does not define, and --all outside a dry run", () => {
    expect(deploy("prod")).toMatchObject({ code: 1, out: expect.stringContaining("no [env.prod] in wrangler.toml") });
    expect(deploy("--all", "staging")).toMatchObject({
      code: 1,
      out: expect.stringContaining("--all only goes with --dry-run"),
    });
  });
});
