/**
 * Request and response examples for /openapi.json, recorded from a real run of every operation
 * (`npm run docs:examples`, which runs test/openapi-examples.test.ts and writes
 * public/openapi/examples.json). They are a static asset read through the ASSETS binding, so they
 * cost the Worker's bundle nothing; the same test fails when one no longer matches what its
 * operation answers.
 */
export const EXAMPLES_PATH = "/openapi/examples.json";

/** One operation's recorded call: the JSON body sent (if any), the status and the JSON answered. */
export type Example = { request?: unknown; status: number; response?: unknown };
export type Examples = Record<string, Example>;

type Media = Record<string, { example?: unknown }>;
type Operation = { requestBody?: { content?: Media }; responses?: Record<string, { content?: Media }> };
type Document = { paths?: object };

export async function readExamples(assets: Fetcher | undefined, origin: string): Promise<Examples> {
  if (!assets) return {};
  const res = await assets.fetch(new URL(EXAMPLES_PATH, origin));
  return res.ok ? ((await res.json()) as Examples) : {};
}

/** Sets each operation's examples (keyed `METHOD /path`) on its request body and its recorded response. */
export function withExamples<D extends Document>(doc: D, examples: Examples): D {
  for (const [path, operations] of Object.entries(doc.paths ?? {}) as [string, Record<string, Operation>][]) {
    for (const [method, op] of Object.entries(operations)) {
      const example = examples[`${method.toUpperCase()} ${path}`];
      if (!example) continue;
      if (example.request !== undefined) {
        for (const media of Object.values(op.requestBody?.content ?? {})) media.example = example.request;
      }
      const json = op.responses?.[String(example.status)]?.content?.["application/json"];
      if (json && example.response !== undefined) json.example = example.response;
    }
  }
  return doc;
}
