declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_TIGHT_RATE_LIMITER: RateLimit;
    TEST_TIGHT_RATE_LIMIT: string;
    TEST_TIGHT_RATE_PERIOD_SECONDS: string;
  }
}
