import path from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";
import { RATE_LIMITS, type RateLimitKind, readPolicy } from "../../src/lib/rate-limits";
import { projectRoot } from "./dev-server";

/**
 * The binding answers only success or failure, so each budget's limit and period are stated twice
 * in wrangler.toml: in its [[ratelimits]] entry (what Cloudflare enforces) and in two vars (what
 * the RateLimit-* headers say). Read as wrangler reads them for a deploy, in every environment.
 */
const configPath = path.join(projectRoot, "wrangler.toml");
const { rawConfig } = experimental_readRawConfig({ config: configPath });
const environments = [undefined, ...Object.keys(rawConfig.env ?? {})];
type Limiter = { name: string; namespace_id: string; simple: { limit: number; period: number } };
const configOf = (env: string | undefined) => {
  const config = unstable_readConfig({ config: configPath, env }, { hideWarnings: true });
  return { ratelimits: config.ratelimits as Limiter[], vars: config.vars as Record<string, string> };
};

describe("rate limits in wrangler.toml", () => {
  it("has staging and production besides the local configuration", () => {
    expect(environments).toEqual(expect.arrayContaining([undefined, "staging", "production"]));
  });

  for (const env of environments) {
    it(`states each budget's limit and period the same in binding and vars (${env ?? "local"})`, () => {
      const config = configOf(env);
      const vars = config.vars;
      for (const kind of Object.keys(RATE_LIMITS) as RateLimitKind[]) {
        const binding = config.ratelimits.find((r) => r.name === RATE_LIMITS[kind].binding);
        expect(binding, `${RATE_LIMITS[kind].binding} in ${env ?? "local"}`).toBeDefined();
        expect(readPolicy(vars, kind), `${RATE_LIMITS[kind].limitVar} and ${RATE_LIMITS[kind].periodVar}`).toEqual(
          binding!.simple,
        );
      }
    });
  }

  it("gives every limiter of every environment a namespace of its own", () => {
    const ids = environments.flatMap((env) => configOf(env).ratelimits.map((r) => String(r.namespace_id)));
    expect(ids.length).toBe(environments.length * Object.keys(RATE_LIMITS).length);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
