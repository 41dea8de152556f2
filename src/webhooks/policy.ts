// Delivery policy: when to retry, how long to wait, when a target is given up on.

/**
 * What delivery needs of the environment: the queues, the hubs (a failed reply is published), the
 * key that signs attachment links in bodies, and the knobs.
 */
export type WebhookEnv = Pick<
  Env,
  "WEBHOOK_QUEUE" | "WEBHOOK_DLQ" | "CABLE" | "FAULT_DROP_ENQUEUE_RATE" | "ATTACHMENT_URL_SECRET"
> & {
  WEBHOOK_RETRY_SCHEDULE?: string;
  WEBHOOK_TIMEOUT_MS?: string;
};

/** Seconds before each attempt: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 27 h in all). */
export const DEFAULT_SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];
export const DEFAULT_TIMEOUT_MS = 10_000;
/** A target failing without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 60 * 60 * 1000;
/** A job that finds a due delivery unclaimed for this long re-sends it (see `sweep`). */
export const SWEEP_GRACE_MS = 60_000;

export const scheduleOf = (env: WebhookEnv) =>
  env.WEBHOOK_RETRY_SCHEDULE ? env.WEBHOOK_RETRY_SCHEDULE.split(",").map(Number) : DEFAULT_SCHEDULE;
export const timeoutOf = (env: WebhookEnv) => Number(env.WEBHOOK_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);

/** Seconds to wait after `attemptsDone` attempts, ±20 % jitter, at least `Retry-After`; null when exhausted. */
export function nextDelay(schedule: number[], attemptsDone: number, retryAfter?: number): number | null {
  if (attemptsDone >= schedule.length) return null;
  const base = schedule[attemptsDone];
  const jittered = base * (0.8 + Math.random() * 0.4);
  return Math.max(jittered, retryAfter ?? 0);
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date), capped at a day. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 86_400) : undefined;
}

/** Timeouts, network errors, 408, 429 and 5xx are worth retrying; other 4xx (and 3xx) are final. */
export const isRetryable = (status: number | null) =>
  status === null || status === 408 || status === 429 || status >= 500;
