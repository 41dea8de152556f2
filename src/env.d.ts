// Secrets are not in wrangler.toml, so `wrangler types` cannot see them.
declare namespace Cloudflare {
  interface Env {
    /** Operator token for the Platform API (`wrangler secret put PLATFORM_API_TOKEN`). */
    PLATFORM_API_TOKEN?: string;
  }
}
