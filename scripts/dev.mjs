// `npm run dev`: prepares a working local copy, then runs `wrangler dev`.
//   1. creates .dev.vars from .dev.vars.example when it is missing (or adds the keys it lacks);
//   2. applies the D1 migrations to the local database;
//   3. seeds (idempotently) a demo account, an administrator agent and an API inbox;
//   4. prints the demo credentials and a curl line;
//   5. runs `wrangler dev --ip 127.0.0.1 --port 8787 --test-scheduled <your arguments>`, firing the
//      cron trigger (webhook sweeper, routing pass) once a minute as Cloudflare does.
// Every argument is passed through to `wrangler dev`; `--ip` / `--port` replace the defaults and
// `--persist-to DIR` is also used for the migrations and the seed.
import { spawn } from "node:child_process";
import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import {
  appendFileSync,
  constants as fsConstants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { constants as osConstants, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const wranglerBin = path.join(
  path.dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);

const DEMO = {
  account: "Konversio Demo",
  name: "Demo Admin",
  email: "demo@konversio.local",
  inbox: "Demo API inbox",
};

// Without these wrangler fetches a cf.json, checks for updates and announces telemetry:
// noise and delay offline (wrangler.toml already has send_metrics = false).
const childEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_SEND_METRICS: "false",
};

/** The value of `--name VALUE` or `--name=VALUE` (the last one wins, as in wrangler). */
function option(args, name) {
  let value;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) value = args[++i];
    else if (args[i].startsWith(`${name}=`)) value = args[i].slice(name.length + 1);
  }
  return value;
}

let child = null;
let stopping = null;

/**
 * Runs wrangler with the given arguments; resolves with its exit code (and captured stdout).
 * Without stdin wrangler never prompts (the migrations' "continue?" answers itself); `wrangler
 * dev` gets the terminal so its hotkeys work.
 */
function wrangler(args, { capture = false, interactive = false } = {}) {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [wranglerBin, ...args], {
      cwd: root,
      env: childEnv,
      stdio: [interactive ? "inherit" : "ignore", capture ? "pipe" : "inherit", "inherit"],
    });
    let stdout = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      child = null;
      resolve({ code: code ?? 128 + (osConstants.signals[signal] ?? 1), stdout });
    });
  });
}

// Ctrl-C (or a SIGTERM to this process) stops the running wrangler, then we exit with its code.
// wrangler's launcher only relays SIGINT and SIGTERM to the real CLI, so SIGHUP goes as SIGTERM.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopping ??= signal;
    if (child) child.kill(signal === "SIGINT" ? "SIGINT" : "SIGTERM");
    else process.exit(128 + osConstants.signals[signal]);
  });
}

function exitIfStopped(code) {
  if (stopping || code !== 0) process.exit(code || 128 + osConstants.signals[stopping]);
}

/** Chatwoot-style base58 token, as src/lib/crypto.ts `secureToken` makes them. */
function secureToken(length = 24) {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  return [...randomBytes(length)].map((b) => alphabet[b % 58]).join("");
}

const sha256Hex = (value) => createHash("sha256").update(value).digest("hex");
const sqlString = (value) => `'${String(value).replaceAll("'", "''")}'`;

/**
 * The plain demo token lives only in a local, gitignored file next to the database (the
 * database keeps its SHA-256), so every run prints the same working token.
 */
function demoCredentials(file) {
  let saved = {};
  try {
    saved = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    /* missing or unreadable: make new ones */
  }
  const token =
    typeof saved.access_token === "string" && saved.access_token.length >= 24 ? saved.access_token : secureToken(32);
  const password =
    typeof saved.password === "string" && saved.password.length >= 8 ? saved.password : `demo-${secureToken(12)}`;
  if (token !== saved.access_token || password !== saved.password) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ email: DEMO.email, access_token: token, password }, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  return { token, password };
}

/** The Worker's password format (src/lib/crypto.ts): PBKDF2-SHA256, 100,000 iterations, 16-byte salt. */
function passwordHash(password) {
  const iterations = 100_000;
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("hex");
  return `pbkdf2-sha256$${iterations}$${salt.toString("hex")}$${hash}`;
}

/**
 * One SQL script that creates whatever part of the demo data is missing and changes nothing
 * that exists, except the token hash, which it re-aligns with the saved plain token.
 */
function seedSql(token, password) {
  const now = Date.now();
  const name = sqlString(DEMO.account);
  const email = sqlString(DEMO.email);
  const inboxName = sqlString(DEMO.inbox);
  const account = `(SELECT min(id) FROM accounts WHERE name = ${name})`;
  const user = `(SELECT id FROM users WHERE email = ${email})`;
  const inbox = `(SELECT min(id) FROM inboxes WHERE account_id = ${account} AND name = ${inboxName})`;
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT.
  return `
INSERT INTO accounts (name, created_at, updated_at)
  SELECT ${name}, ${now}, ${now} WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE name = ${name});
INSERT INTO users (name, email, pubsub_token, created_at, updated_at)
  VALUES (${sqlString(DEMO.name)}, ${email}, ${sqlString(secureToken())}, ${now}, ${now})
  ON CONFLICT (email) DO NOTHING;
-- The demo password is set once; a password the agent chose later in the console is kept.
UPDATE users SET password_hash = ${sqlString(passwordHash(password))} WHERE email = ${email} AND password_hash IS NULL;
INSERT INTO access_tokens (user_id, token_hash, created_at, updated_at)
  SELECT ${user}, ${sqlString(sha256Hex(token))}, ${now}, ${now} WHERE true
  ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, updated_at = excluded.updated_at
  WHERE access_tokens.token_hash <> excluded.token_hash;
INSERT INTO account_users (account_id, user_id, role, availability, created_at, updated_at)
  SELECT ${account}, ${user}, 'administrator', 'online', ${now}, ${now} WHERE true
  ON CONFLICT (account_id, user_id) DO NOTHING;
INSERT INTO inboxes (account_id, name, channel_type, identifier, hmac_token, secret, created_at, updated_at)
  SELECT ${account}, ${inboxName}, 'Channel::Api', ${sqlString(secureToken())}, ${sqlString(secureToken())},
    ${sqlString(secret)}, ${now}, ${now}
  WHERE NOT EXISTS (SELECT 1 FROM inboxes WHERE account_id = ${account} AND name = ${inboxName});
INSERT INTO inbox_members (inbox_id, user_id) SELECT ${inbox}, ${user} WHERE true ON CONFLICT DO NOTHING;
SELECT ${account} AS account_id, ${user} AS user_id, ${inbox} AS inbox_id,
  (SELECT identifier FROM inboxes WHERE id = ${inbox}) AS inbox_identifier;
`;
}

async function seed(persistArgs, tokenFile) {
  const { token, password } = demoCredentials(tokenFile);
  const dir = mkdtempSync(path.join(tmpdir(), "konversio-seed-"));
  const file = path.join(dir, "seed.sql");
  writeFileSync(file, seedSql(token, password), { mode: 0o600 });
  try {
    // The script changes nothing that exists, so a run the local runtime failed mid-way (a busy
    // machine's workerd sometimes answers an internal assertion) is safe to run again.
    const args = ["d1", "execute", "DB", "--local", ...persistArgs, "--json", "--file", file];
    let { code, stdout } = await wrangler(args, { capture: true });
    for (let attempt = 2; code !== 0 && !stopping && attempt <= 3; attempt++) {
      process.stderr.write(`${stdout}\nSeeding failed; trying again (attempt ${attempt} of 3)\n`);
      ({ code, stdout } = await wrangler(args, { capture: true }));
    }
    if (code !== 0) process.stderr.write(stdout);
    exitIfStopped(code);
    const results = JSON.parse(stdout);
    const [row] = results[results.length - 1].results;
    return { ...row, email: DEMO.email, token, password };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The user's arguments, with `--persist-to` made absolute so every wrangler run agrees on it. */
function userArgs() {
  const args = process.argv.slice(2);
  return args.map((arg, i) => {
    if (args[i - 1] === "--persist-to") return path.resolve(arg);
    if (arg.startsWith("--persist-to=")) return `--persist-to=${path.resolve(arg.slice("--persist-to=".length))}`;
    return arg;
  });
}

/** Settings added to .dev.vars.example since this .dev.vars was made are appended to it. */
function addMissingVars(devVars, example) {
  const keys = (text) =>
    new Set(
      text
        .split("\n")
        .map((l) => l.match(/^\s*([A-Z0-9_]+)=/)?.[1])
        .filter(Boolean),
    );
  const current = readFileSync(devVars, "utf8");
  const have = keys(current);
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((line) => {
      const key = line.match(/^\s*([A-Z0-9_]+)=/)?.[1];
      return key && !have.has(key);
    });
  if (missing.length === 0) return;
  appendFileSync(devVars, `${current.endsWith("\n") ? "" : "\n"}${missing.join("\n")}\n`);
  console.log(`Added to .dev.vars from .dev.vars.example: ${missing.map((l) => l.split("=")[0]).join(", ")}`);
}

/**
 * `wrangler dev` does not fire cron triggers on its own; with --test-scheduled it exposes
 * /__scheduled, which this calls once a minute, as Cloudflare would in production (the outbox
 * sweeper and the routing pass run there).
 */
function runCronLocally(base) {
  const tick = () => fetch(`${base}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).catch(() => {});
  const timer = setInterval(tick, 60_000);
  timer.unref();
}

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The agent console (web/) is served from public/app/ by wrangler's assets: built here when it is
 * missing or older than its sources, then rebuilt on every change while you work. Under CI (the
 * tests, which build it once with `npm test` and run several servers side by side) it is only
 * built when missing, and never watched.
 */
async function buildConsole() {
  const viteBin = path.join(
    path.dirname(createRequire(import.meta.url).resolve("vite/package.json")),
    "bin",
    "vite.js",
  );
  const config = path.join(root, "web", "vite.config.ts");
  const built = path.join(root, "public", "app", "index.html");
  const sources = Math.max(
    newestMtime(path.join(root, "web", "src")),
    statSync(config).mtimeMs,
    statSync(path.join(root, "web", "index.html")).mtimeMs,
  );
  const stale = !existsSync(built) || (!process.env.CI && statSync(built).mtimeMs < sources);
  if (stale) {
    console.log("Building the console (web/ → public/app/)");
    const code = await new Promise((resolve, reject) => {
      child = spawn(process.execPath, [viteBin, "build", "--config", config, "--logLevel", "warn"], {
        cwd: root,
        env: childEnv,
        stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("error", reject);
      child.on("exit", (c) => {
        child = null;
        resolve(c ?? 1);
      });
    });
    exitIfStopped(code);
  }
  if (process.env.CI) return;
  const watcher = spawn(process.execPath, [viteBin, "build", "--watch", "--config", config, "--logLevel", "warn"], {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "ignore", "inherit"],
  });
  process.once("exit", () => watcher.kill("SIGTERM"));
}

async function main() {
  const args = userArgs();

  const devVars = path.join(root, ".dev.vars");
  if (!existsSync(devVars)) {
    try {
      copyFileSync(path.join(root, ".dev.vars.example"), devVars, fsConstants.COPYFILE_EXCL);
      console.log("Created .dev.vars from .dev.vars.example");
    } catch (err) {
      if (err.code !== "EEXIST") throw err; // another `npm run dev` just made it
    }
  }
  addMissingVars(devVars, path.join(root, ".dev.vars.example"));

  const persistTo = option(args, "--persist-to");
  const persistArgs = persistTo ? ["--persist-to", persistTo] : [];
  exitIfStopped((await wrangler(["d1", "migrations", "apply", "DB", "--local", ...persistArgs])).code);

  const tokenFile = path.join(persistTo ?? path.join(root, ".wrangler"), "konversio-demo.json");
  const demo = await seed(persistArgs, tokenFile);

  const ip = option(args, "--ip") ?? "127.0.0.1";
  const port = option(args, "--port") ?? "8787";
  const host = ip === "0.0.0.0" || ip === "::" || ip === "*" ? "127.0.0.1" : ip.includes(":") ? `[${ip}]` : ip;
  const base = `http://${host}:${port}`;
  const shownFile = path.relative(root, tokenFile).startsWith("..") ? tokenFile : path.relative(root, tokenFile);
  console.log(`
Konversio demo data (kept in ${shownFile}):
  console:           ${base}/app
  agent email:       ${demo.email}
  agent password:    ${demo.password}
  account id:        ${demo.account_id}
  access token:      ${demo.token}
  inbox id:          ${demo.inbox_id}
  inbox identifier:  ${demo.inbox_identifier}
  Swagger UI:        ${base}/swagger
Try: curl -H 'api_access_token: ${demo.token}' ${base}/api/v1/accounts/${demo.account_id}/contacts
For the README walk-through, paste into your shell:
  export KONVERSIO=${base} TOKEN=${demo.token} ACCOUNT_ID=${demo.account_id} INBOX_ID=${demo.inbox_id}
`);

  const defaults = [];
  if (option(args, "--ip") === undefined) defaults.push("--ip", "127.0.0.1");
  if (option(args, "--port") === undefined) defaults.push("--port", "8787");
  if (!args.includes("--test-scheduled")) defaults.push("--test-scheduled");
  runCronLocally(base);
  await buildConsole();
  const { code } = await wrangler(["dev", ...defaults, ...args], { interactive: true });
  process.exit(code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
