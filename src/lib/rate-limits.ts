/**
 * The four budgets (see docs/api.md, "Rate limits"): each is a Workers rate limiting binding plus
 * two vars that repeat its `simple = { limit, period }`, since the binding answers only
 * `{ success }` and the RateLimit-* headers need both numbers. A test holds every environment of
 * wrangler.toml to agreeing binding and vars.
 */
export const RATE_LIMITS = {
  api: { binding: "API_RATE_LIMITER", limitVar: "API_RATE_LIMIT", periodVar: "API_RATE_PERIOD_SECONDS" },
  platform: {
    binding: "PLATFORM_RATE_LIMITER",
    limitVar: "PLATFORM_RATE_LIMIT",
    periodVar: "PLATFORM_RATE_PERIOD_SECONDS",
  },
  console: {
    binding: "CONSOLE_RATE_LIMITER",
    limitVar: "CONSOLE_RATE_LIMIT",
    periodVar: "CONSOLE_RATE_PERIOD_SECONDS",
  },
  public: { binding: "PUBLIC_RATE_LIMITER", limitVar: "PUBLIC_RATE_LIMIT", periodVar: "PUBLIC_RATE_PERIOD_SECONDS" },
} as const;

export type RateLimitKind = keyof typeof RATE_LIMITS;

/** The periods the binding accepts. */
export const RATE_LIMIT_PERIODS = [10, 60] as const;

/** A budget as the vars state it: `limit` requests per `period` seconds. */
export type RateLimitPolicy = { limit: number; period: number };

/** The names of the vars that state the budgets. */
export type RateLimitVar = (typeof RATE_LIMITS)[RateLimitKind]["limitVar" | "periodVar"];

/** The vars' policy, or null when they are missing or malformed (then no RateLimit-* header is printed). */
export function readPolicy(vars: Partial<Record<RateLimitVar, string>>, kind: RateLimitKind): RateLimitPolicy | null {
  const { limitVar, periodVar } = RATE_LIMITS[kind];
  const limit = Number(vars[limitVar]);
  const period = Number(vars[periodVar]);
  if (!Number.isSafeInteger(limit) || limit < 1) return null;
  if (!(RATE_LIMIT_PERIODS as readonly number[]).includes(period)) return null;
  return { limit, period };
}

/** What a caller is told about its budget: requests left in this window and seconds until it ends. */
export type Budget = { remaining: number; reset: number };

/**
 * An estimate of each key's use of its budget, in fixed windows aligned to the period (as the
 * binding counts locally; Cloudflare's own windows may start elsewhere). The binding's count is
 * shared by every isolate in a Cloudflare location and this one is not: Remaining is what this
 * isolate has seen, and 0 once the binding refuses. At most `maxKeys` keys are kept, the least
 * recently used going first, so a flood of new keys cannot grow it without bound.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly maxKeys = 10_000) {}

  /** Records one request of `key`; `admitted` is the binding's answer for it. */
  hit(key: string, policy: RateLimitPolicy, admitted: boolean, now = Date.now()): Budget {
    const periodMs = policy.period * 1000;
    const start = now - (now % periodMs);
    const seen = this.windows.get(key);
    const window = seen && seen.start === start ? seen : { start, count: 0 };
    // A refused request is not counted: the binding does not count it either.
    if (admitted) window.count++;
    // Re-inserting moves the key to the end of the Map's order: the first key is the least recently used.
    this.windows.delete(key);
    this.windows.set(key, window);
    if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
    return {
      remaining: admitted ? Math.max(0, policy.limit - window.count) : 0,
      reset: Math.max(1, Math.ceil((start + periodMs - now) / 1000)),
    };
  }

  get size() {
    return this.windows.size;
  }
}

/** The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers-06): the budget, what is left, and when it renews. */
export function rateLimitHeaders(policy: RateLimitPolicy, budget: Budget): Record<string, string> {
  return {
    "RateLimit-Limit": String(policy.limit),
    "RateLimit-Remaining": String(budget.remaining),
    "RateLimit-Reset": String(budget.reset),
    "RateLimit-Policy": `${policy.limit};w=${policy.period}`,
  };
}

/** The headers a browser script may read, for the client API's CORS. */
export const RATE_LIMIT_HEADER_NAMES = [
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
  "RateLimit-Policy",
];
