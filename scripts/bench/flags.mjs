// Command line of `npm run bench [-- <mode>] [--flags]`: flags win over BENCH_* environment variables.
import { parseArgs } from "node:util";

const options = {
  duration: { type: "string" }, // seconds of autocannon load per route
  connections: { type: "string" },
  messages: { type: "string" },
  concurrency: { type: "string" },
  warmup: { type: "string" },
  "wait-seconds": { type: "string" },
  conversations: { type: "string" },
  "small-conversations": { type: "string" },
  "noise-accounts": { type: "string" },
  "noise-conversations": { type: "string" },
  samples: { type: "string" },
};

const { values, positionals } = parseArgs({ options, allowPositionals: true });

export const mode = positionals[0] ?? "all";

/** A whole-number setting: `--name`, else `BENCH_NAME`, else the fallback. */
export function setting(name, fallback) {
  const envName = `BENCH_${name.toUpperCase().replaceAll("-", "_")}`;
  const value = Number(values[name] ?? process.env[envName] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} / ${envName} must be a whole number`);
  return value;
}
