// Copies Swagger UI's browser files into public/swagger-ui/, which the Worker serves as static
// assets, so /swagger renders with no internet access. Runs on every `npm install` / `npm ci`.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const target = path.join(root, "public", "swagger-ui");
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"]) {
  copyFileSync(path.join(dist, file), path.join(target, file));
}
