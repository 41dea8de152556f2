// CPU time per process while a load runs, from Linux's /proc/<pid>/stat: where a request's CPU goes
// among wrangler (Node), workerd (the Worker, D1, the queue) and this process (autocannon, the
// webhook receiver). Elsewhere than Linux the figures are left out.
import { readdirSync, readFileSync } from "node:fs";

const TICKS = 100; // USER_HZ: clock ticks per second on Linux

function kindOf(cmdline, pid) {
  if (pid === process.pid) return "bench";
  if (/workerd/.test(cmdline)) return "workerd";
  if (/wrangler/.test(cmdline)) return "wrangler";
  return null;
}

/** CPU seconds so far of the processes that serve the bench, by kind; null where /proc is missing. */
export function cpuSnapshot() {
  let pids;
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  const byPid = new Map();
  for (const pid of pids) {
    try {
      const kind = kindOf(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "), Number(pid));
      if (!kind) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      byPid.set(pid, { kind, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS });
    } catch {
      // The process ended meanwhile.
    }
  }
  return byPid;
}

/** Milliseconds of CPU per request between two snapshots, by kind, and in all; null without /proc. */
export function cpuPerRequest(before, after, requests) {
  if (!before || !after || requests === 0) return null;
  const ms = { wrangler: 0, workerd: 0, bench: 0 };
  for (const [pid, { kind, seconds }] of after)
    ms[kind] += ((seconds - (before.get(pid)?.seconds ?? 0)) * 1000) / requests;
  return { ...ms, total: ms.wrangler + ms.workerd + ms.bench };
}
