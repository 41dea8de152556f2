import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { configDefaults, defineConfig } from "vitest/config";

// Two projects in one `vitest run`:
// - "workers": test/**, inside workerd through the cloudflareTest plugin (per-project: the
//   plugin sets the pool only on the project whose config lists it);
// - "e2e": test/e2e/**, in plain Node, against a real `npm run dev` and a headless Chromium.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "drizzle"));
  return {
    test: {
      // Read by the reporter from the root config: console output only from failing tests.
      silent: "passed-only" as const,
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  PLATFORM_API_TOKEN: "test-platform-token",
                  ATTACHMENT_URL_SECRET: "test-attachment-secret",
                  SERVER_TIMING: "on",
                  // Production's address rule; a test that needs a private URL writes the row itself.
                  ALLOW_PRIVATE_WEBHOOK_URLS: "false",
                  // Retries after 1 s (not minutes) and a short per-attempt timeout, so the
                  // delivery tests exercise the real schedule logic in seconds.
                  WEBHOOK_RETRY_SCHEDULE: "0,1,1,1",
                  WEBHOOK_TIMEOUT_MS: "1000",
                  // The tight budget's numbers, as the vars state a real limiter's (see below).
                  TEST_TIGHT_RATE_LIMIT: "3",
                  TEST_TIGHT_RATE_PERIOD_SECONDS: "60",
                },
                // wrangler.toml's local budgets are far above what any test spends. This real limiter
                // with a budget of 3 is swapped in for one of them by test/rate-limits.test.ts, to
                // reach a 429 in a few requests.
                ratelimits: { TEST_TIGHT_RATE_LIMITER: { simple: { limit: 3, period: 60 } } },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: [...configDefaults.exclude, "test/e2e/**"],
            setupFiles: ["./test/helpers/apply-migrations.ts"],
            // A real webhook receiver on 127.0.0.1, started in Node for the delivery tests.
            globalSetup: ["./test/helpers/receiver-server.ts"],
          },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            // Each file waits mostly on its own dev server: run them side by side, after the
            // workers project (a project with its own maxWorkers needs its own groupOrder).
            maxWorkers: 2,
            sequence: { groupOrder: 1 },
            // Starting `npm run dev` (migrations, seed, wrangler dev) takes several seconds.
            hookTimeout: 120_000,
            testTimeout: 60_000,
          },
        },
      ],
    },
  };
});
