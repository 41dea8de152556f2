import path from "node:path";
import preact from "@preact/preset-vite";
import { copyFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";

const outDir = path.join(import.meta.dirname, "..", "public", "app");

/**
 * The assets' single-page-application fallback answers a navigation with no matching file with
 * the assets folder's root index.html: a copy of the console's, so /app/<any route> reloads into
 * the console (its script and style paths are absolute, under /app/assets/).
 */
const rootIndex = (): Plugin => ({
  name: "konversio-root-index",
  apply: "build",
  closeBundle() {
    copyFileSync(path.join(outDir, "index.html"), path.join(outDir, "..", "index.html"));
  },
});

// The console is served by the Worker's static assets under /app (see wrangler.toml [assets]).
export default defineConfig({
  root: import.meta.dirname,
  base: "/app/",
  plugins: [preact(), rootIndex()],
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: true,
  },
});
