import { describe, expect, it } from "vitest";
import {
  accountSnapshot,
  documentedOperations,
  fillPath,
  ownedRows,
  refusalMismatch,
  type Operation,
} from "./helpers/access";
import { api, type ApiResponse } from "./helpers/api";
import { createWorld } from "./helpers/factories";
import { Fuzzer, type FuzzCase, type OpenApiDoc } from "./helpers/fuzz";
import { matrixWorld, type Ctx } from "./helpers/operations";
import { type Family, familyOf, type Target, targets } from "./helpers/targets";
import { leakedSecrets, worldSecrets } from "./helpers/secrets";

/**
 * Hostile input over every documented operation: ids that cannot exist, bodies that are not what
 * the operation reads, a refused value in each documented field, a missing required field, and odd
 * values the schemas allow. Every answer is checked: never a 5xx; a refusal is a 4xx with the JSON
 * error envelope; and a refused write changed no row (the account's rows and the global tables
 * are compared before and after each one). The caller is always entitled (an administrator, the
 * platform token, the client API's own session), so what is tested is the input, not access.
 */

let requests = 0;

function send(op: Operation, target: Target, c: FuzzCase): Promise<ApiResponse> {
  // An `{id}` override stands for the `id:<collection>` key fillPath looks up.
  const overrides = Object.entries(c.path ?? {}).flatMap(([name, value]) =>
    name === "id"
      ? Object.keys(target.ids)
          .filter((k) => k.startsWith("id:"))
          .map((k) => [k, value])
      : [[name, value]],
  );
  const path = fillPath(op.path, { ...target.ids, ...Object.fromEntries(overrides) });
  // Each request its own client address, so the client API's rate limit never answers for the input.
  const n = ++requests;
  const headers: Record<string, string> = { "cf-connecting-ip": `10.9.${(n >> 8) & 255}.${n & 255}` };
  if (c.raw?.contentType) headers["content-type"] = c.raw.contentType;
  const body = op.method === "GET" ? undefined : c.raw ? undefined : (c.json ?? {});
  return api(op.method, path, body, {
    token: target.token,
    headers,
    raw: op.method === "GET" ? undefined : c.raw?.body,
    query: c.query,
  });
}

/** What is wrong with one answer, or null. */
function verdict(res: ApiResponse, c: FuzzCase): string | null {
  if (res.status >= 500) return `${res.status}: ${res.text.slice(0, 200)}`;
  if (res.status >= 400) {
    if (c.statuses && !c.statuses.includes(res.status))
      return `refused with ${res.status}, expected ${c.statuses.join(" or ")}: ${res.text.slice(0, 160)}`;
    const details: { field?: string }[] = Array.isArray(res.body?.details) ? res.body.details : [];
    if (
      c.field &&
      res.status === 422 &&
      !details.some((d) => d.field === c.field || d.field?.startsWith(`${c.field}.`))
    )
      return `a 422 that does not name ${c.field}: ${res.text.slice(0, 160)}`;
    return refusalMismatch(res, res.status);
  }
  if (c.refuse) return `accepted (${res.status}) though the input is invalid: ${res.text.slice(0, 160)}`;
  return null;
}

type Setup = { fuzzer: Fuzzer; ops: Operation[]; w: Ctx; bystander: number; targets: Record<Family, Target> };

/**
 * One world for the whole file: refused requests change nothing, and what odd values change is
 * harmless to the cases after them. A bystander account checks that nothing reaches across.
 */
let setup: Promise<Setup> | undefined;
const shared = () =>
  (setup ??= (async () => {
    const { body: doc } = await api<OpenApiDoc>("GET", "/openapi.json");
    const w = await matrixWorld();
    const bystander = await createWorld("Bystander");
    const entries = await Promise.all(
      (Object.keys(targets) as Family[]).map(async (f) => [f, await targets[f](w)] as const),
    );
    return {
      fuzzer: new Fuzzer(doc),
      ops: await documentedOperations(),
      w,
      bystander: bystander.account.id,
      targets: Object.fromEntries(entries) as Record<Family, Target>,
    };
  })());

/**
 * Cases are split over several tests: the runtime slows down within one test that sends well over a hundred
 * requests.
 */
const CHUNKS = 16;

describe("fuzzing every documented operation", () => {
  it("covers every documented operation", async () => {
    const { ops, fuzzer } = await shared();
    expect(ops.length).toBeGreaterThan(100);
    const families = new Set(ops.map(familyOf));
    expect([...families].sort()).toEqual(["application", "client", "platform", "tokenless"]);
    const withBody = ops.filter(
      (op) => op.method !== "GET" && fuzzer.cases(op.path, op.method, {}, 0).some((c) => c.label.startsWith("field ")),
    );
    expect(withBody.length).toBeGreaterThan(40);
    const total = ops.reduce(
      (n, op, salt) => n + fuzzer.cases(op.path, op.method, op.method === "GET" ? undefined : {}, salt).length,
      0,
    );
    expect(total).toBeGreaterThan(1000);
    // The classes that once answered 500: many-word searches and repeated large merges.
    const labels = ops.flatMap((op, salt) =>
      fuzzer.cases(op.path, op.method, op.method === "GET" ? undefined : {}, salt).map((c) => `${op.key} ${c.label}`),
    );
    expect(labels).toContain("GET /api/v1/accounts/{account_id}/conversations query q of many words");
    expect(labels).toContain("GET /api/v1/accounts/{account_id}/conversations/meta query q of many words");
    for (const key of [
      "PATCH /api/v1/accounts/{account_id}/contacts/{id}",
      "PATCH /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}",
    ])
      expect(labels).toContain(`${key} large custom_attributes 3/3`);
    expect(labels.filter((l) => l.includes(" oversize ")).length).toBeGreaterThan(10);
  });

  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const name = `operations ${chunk + 1}/${CHUNKS}: never a 5xx, refusals in the error envelope`;
    it(`${name}, and a refused write changes nothing`, async () => {
      const { fuzzer, ops, w, bystander, targets: byFamily } = await shared();
      const bystanderBefore = await ownedRows(bystander);
      const failures: string[] = [];
      let before = await accountSnapshot(w.account.id);
      for (const [salt, op] of ops.entries()) {
        if (salt % CHUNKS !== chunk) continue;
        const target = byFamily[familyOf(op)];
        // Every answer, refusals included, shows only the secrets that are the caller's (helpers/secrets.ts).
        const secrets = await worldSecrets(
          w,
          [w.admin, w.agent, w.outsider].map((u) => ({ userId: u.id, token: u.token })),
        );
        for (const c of fuzzer.cases(
          op.path,
          op.method,
          op.method === "GET" ? undefined : (target.body(op.key) ?? {}),
          salt,
        )) {
          const res = await send(op, target, c);
          const wrong = verdict(res, c);
          if (wrong) failures.push(`${op.key} with ${c.label}: ${wrong}`);
          for (const leak of leakedSecrets(secrets, op.key, target.viewer, res.text))
            failures.push(`${op.key} with ${c.label}: shows ${leak}`);
          if (op.method === "GET") continue;
          const after = await accountSnapshot(w.account.id);
          if (res.status >= 400 && JSON.stringify(after) !== JSON.stringify(before))
            failures.push(`${op.key} with ${c.label}: refused (${res.status}) but rows changed`);
          before = after;
        }
      }
      expect(failures).toEqual([]);
      expect(await ownedRows(bystander)).toEqual(bystanderBefore);
    }, 60_000);
  }
});
