// The import graph of src/: fails on a circle, or on an import that runs back up a layer.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** Lower layers first: a module may import its own layer or any layer before it, never one after. */
const LAYERS = [
  ["lib"],
  ["db"],
  ["serializers"],
  ["views"],
  ["events"],
  // The API's contract: each resource's zod schemas (src/routes/<resource>/<resource>.schemas.ts).
  // Services take the output of those schemas, so the schemas sit below them, next to their routes.
  ["contract"],
  ["services"],
  ["webhooks", "realtime"],
  ["middleware"],
  ["routes"],
  ["app.ts", "index.ts", "cron.ts", "env.d.ts"],
];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function resolve(from, spec) {
  const base = join(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const layerOf = (file) => {
  const path = relative("src", file);
  if (/^routes\/[^/]+\/[^/]+\.schemas\.ts$/.test(path)) return LAYERS.findIndex((names) => names.includes("contract"));
  const top = path.split("/")[0];
  return LAYERS.findIndex((names) => names.includes(top));
};

const graph = new Map();
for (const file of files("src")) {
  const source = readFileSync(file, "utf8");
  const deps = [];
  for (const m of source.matchAll(/(?:import|export)(?:\s+type)?[^"';]*?from\s+"(\.[^"]+)"/g)) {
    const target = resolve(file, m[1]);
    if (target) deps.push({ target, typeOnly: /^(import|export)\s+type\b/.test(m[0]) });
  }
  graph.set(file, deps);
}

const problems = [];
for (const [file, deps] of graph) {
  for (const { target } of deps) {
    const from = layerOf(file);
    const to = layerOf(target);
    if (from < 0) problems.push(`${file}: not in any layer of scripts/check-imports.mjs`);
    else if (to > from) problems.push(`${file} imports ${target}, a layer above it`);
  }
}

// Tarjan's strongly connected components: any component of more than one file is a circle.
let index = 0;
const stack = [];
const state = new Map();
function visit(v) {
  state.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const { target: w } of graph.get(v) ?? []) {
    if (!state.has(w)) {
      visit(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
  }
  if (state.get(v).low === state.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1)
      problems.push(`import circle of ${component.length} files: ${component.sort().join(", ")}`);
  }
}
for (const v of graph.keys()) if (!state.has(v)) visit(v);

if (problems.length > 0) {
  console.error(`${problems.length} import problems:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`check:imports: ${graph.size} modules, no circle, every import goes down a layer or stays in its own`);
