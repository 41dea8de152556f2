import type { ChildProcess, SpawnOptions } from "node:child_process";

export declare const projectRoot: string;

/** What `npm run dev` prints about the seeded demo data. */
export type DemoCredentials = {
  accountId: number;
  email: string;
  /** The demo agent's console password (absent in output from before the console). */
  password?: string;
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

export declare function freshPersistDir(): string;
export declare function runWrangler(args: string[]): Promise<string>;
export declare function queryLocalD1<T = Record<string, unknown>>(persistDir: string, sql: string): Promise<T[]>;
export declare function freePort(): Promise<number>;
export declare function parseCredentials(output: string): DemoCredentials | null;
export declare function stopGroup(child: ChildProcess): Promise<void>;
export declare function spawnGroup(command: string, args: string[], options?: SpawnOptions): ChildProcess;
export declare function startDevServer(opts?: {
  /** Keep the database here (left in place by stop()); default: a fresh temporary directory. */
  persistDir?: string;
  timeoutMs?: number;
  /** More `wrangler dev` arguments, e.g. `["--var", "ALLOW_PRIVATE_WEBHOOK_URLS:true"]`. */
  devArgs?: string[];
}): Promise<DevServer>;
