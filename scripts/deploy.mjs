// `npm run deploy -- <environment>`: deploys one environment of wrangler.toml, named (with none it
// refuses: a bare `npm run deploy` must never reach production by accident), in the only safe order:
//   1. `wrangler d1 migrations apply DB --remote --env <env>` (the new schema first);
//   2. `wrangler deploy --env <env>` (then the code that uses it).
// It stops at the first step that fails, with wrangler's own error (not logged in, no
// CLOUDFLARE_API_TOKEN, unknown database...) and a line saying what was not done.
//
// `--dry-run [environment]` only bundles: `wrangler deploy --dry-run --env <env> --outdir dist/<env>`,
// offline, with no Cloudflare login. `--dry-run --all` bundles the top-level (local) configuration
// into dist/ and every [env.*] of wrangler.toml into dist/<env>/: `npm run check:bundle`, in `npm test`.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { constants as osConstants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const wranglerBin = path.join(
  path.dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);
/** The environment a dry run bundles when none is named. */
const DEFAULT_ENV = "production";
const PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";

const childEnv = { ...process.env, WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false" };
// A dry run needs nothing from Cloudflare; without this wrangler fetches a cf.json.
const offlineEnv = { ...childEnv, CLOUDFLARE_CF_FETCH_ENABLED: "false" };

const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8");

/** The environments wrangler.toml defines (`[env.<name>]`), in file order. */
function environments() {
  return [...toml.matchAll(/^\s*\[env\.([A-Za-z0-9_-]+)\]\s*(?:#.*)?$/gm)].map((m) => m[1]);
}

/** `database_id` of the `DB` binding of an environment, or undefined. */
function databaseId(env) {
  let inTable = false;
  let binding;
  let id;
  for (const line of toml.split("\n")) {
    const header = line.match(/^\s*\[\[?([^\]]+)\]\]?\s*(?:#.*)?$/);
    if (header) {
      if (inTable && binding === "DB") return id;
      inTable = header[1].trim() === `env.${env}.d1_databases`;
      binding = id = undefined;
      continue;
    }
    if (!inTable) continue;
    binding ??= line.match(/^\s*binding\s*=\s*"([^"]*)"/)?.[1];
    id ??= line.match(/^\s*database_id\s*=\s*"([^"]*)"/)?.[1];
  }
  return inTable && binding === "DB" ? id : undefined;
}

function fail(message) {
  console.error(`deploy: ${message}`);
  process.exit(1);
}

let child = null;

/** Runs wrangler with the terminal (its prompts and errors go straight to the operator). */
function wrangler(args, env = childEnv) {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [wranglerBin, ...args], { cwd: root, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      child = null;
      resolve(code ?? 128 + (osConstants.signals[signal] ?? 1));
    });
  });
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (child) child.kill(signal);
    else process.exit(128 + osConstants.signals[signal]);
  });
}

async function dryRun(targets) {
  for (const env of targets) {
    const label = env ?? "top level (local configuration)";
    console.log(`\n== wrangler deploy --dry-run: ${label}`);
    // `--env ""` names the top level, which wrangler otherwise warns about when [env.*] exist.
    const args = ["deploy", "--dry-run", "--env", env ?? "", "--outdir", env ? `dist/${env}` : "dist"];
    const code = await wrangler(args, offlineEnv);
    if (code !== 0) fail(`the dry run of ${label} failed (exit ${code})`);
    checkBundle(path.join(root, env ? `dist/${env}` : "dist", "index.js"), label);
  }
}

/**
 * The Worker's script is parsed on every cold start: it stays under a budget, and zod's
 * translations stay out (wrangler.toml's [alias] keeps English alone; a zod upgrade that moves its
 * locales would bring all 63 back, 350 KiB). The budget grows only with the API itself (each route
 * brings its zod schemas and OpenAPI text): about 1306 KiB with the agent tools, bots and reports.
 */
const BUNDLE_BUDGET_KIB = 1400;
function checkBundle(file, label) {
  const script = readFileSync(file, "utf8");
  const kib = Buffer.byteLength(script) / 1024;
  const locales = [...new Set(script.match(/zod\/v4\/locales\/[\w-]+/g) ?? [])];
  console.log(`bundle: ${kib.toFixed(1)} KiB of ${BUNDLE_BUDGET_KIB} KiB; zod locales: ${locales.join(", ")}`);
  if (kib > BUNDLE_BUDGET_KIB) fail(`${label}: the bundle is ${kib.toFixed(1)} KiB, over ${BUNDLE_BUDGET_KIB} KiB`);
  if (locales.some((l) => !l.endsWith("/en"))) fail(`${label}: zod locales other than English are bundled`);
}

async function deploy(env) {
  const id = databaseId(env);
  if (!id) fail(`[env.${env}] in wrangler.toml has no D1 binding "DB" with a database_id`);
  if (id === PLACEHOLDER_ID) {
    fail(
      `[env.${env}] still has the placeholder database_id. Create the database (npx wrangler d1 create ...) ` +
        "and put its id into wrangler.toml first; see docs/deploy.md.",
    );
  }

  console.log(`== 1/2 wrangler d1 migrations apply DB --remote --env ${env}`);
  let code = await wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", env]);
  if (code !== 0) {
    fail(
      `applying the migrations to ${env} failed (exit ${code}); nothing was deployed. ` +
        "If wrangler says you are not authenticated: `npx wrangler login`, or set CLOUDFLARE_API_TOKEN.",
    );
  }

  console.log(`\n== 2/2 wrangler deploy --env ${env}`);
  code = await wrangler(["deploy", "--env", env]);
  if (code !== 0) fail(`wrangler deploy --env ${env} failed (exit ${code}); the migrations above are applied`);
  console.log(`\ndeploy: ${env} deployed.`);
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a.startsWith("-") && a !== "--dry-run" && a !== "--all");
  if (unknown.length) fail(`unknown option ${unknown.join(" ")} (usage: deploy.mjs [--dry-run [--all]] [environment])`);
  const names = args.filter((a) => !a.startsWith("-"));
  if (names.length > 1) fail(`one environment at a time (got ${names.join(", ")})`);

  const known = environments();
  // Only a dry run (offline, harmless) may leave the environment out.
  if (!names[0] && !args.includes("--dry-run"))
    fail(`name the environment to deploy: npm run deploy -- <${known.join("|") || "environment"}>`);
  const env = names[0] ?? DEFAULT_ENV;
  if (!args.includes("--all") && !known.includes(env)) {
    fail(`no [env.${env}] in wrangler.toml (environments: ${known.join(", ") || "none"})`);
  }

  if (args.includes("--dry-run")) {
    await dryRun(args.includes("--all") ? [undefined, ...known] : [env]);
    return;
  }
  if (args.includes("--all")) fail("--all only goes with --dry-run: deploy one environment at a time");
  await deploy(env);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
