// Secrets are not in wrangler.toml, so `wrangler types` cannot see them.
declare namespace Cloudflare {
  interface Env {
    /** Operator token for the Platform API (`wrangler secret put PLATFORM_API_TOKEN`). */
    PLATFORM_API_TOKEN: string;
    /**
     * Key of the HMAC that signs attachment download links (`wrangler secret put ATTACHMENT_URL_SECRET`).
     * Unset, links are still rendered but every download answers 503 until it is set.
     */
    ATTACHMENT_URL_SECRET?: string;
  }
}

declare namespace Cloudflare {
  interface Env {
    /** Seconds before each webhook attempt, comma-separated (tests shorten it). */
    WEBHOOK_RETRY_SCHEDULE?: string;
    /** Per-attempt timeout in milliseconds (default 10,000). */
    WEBHOOK_TIMEOUT_MS?: string;
    /**
     * Soak/test-only fault switch (`npm run soak`): probability that a queue job throws on its first attempt.
     * Never set in production.
     */
    FAULT_CONSUMER_THROW_RATE?: string;
    /**
     * Soak/test-only fault switch (`npm run soak`): fraction of request outbox enqueues silently dropped.
     * Never set in production.
     */
    FAULT_DROP_ENQUEUE_RATE?: string;
  }
}
