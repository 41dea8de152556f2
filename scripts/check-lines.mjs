// Fails when a source line is longer than the limit (Biome wraps code, not comments or strings).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const LIMIT = 120;
const files = execFileSync(
  "git",
  ["ls-files", "--cached", "--others", "--exclude-standard", "src", "test", "web", "scripts"],
  {
    encoding: "utf8",
  },
)
  .split("\n")
  .filter((f) => /\.(ts|tsx|mjs|js)$/.test(f) && f !== "web/src/api-types.ts");
const long = [];
for (const file of files) {
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.length > LIMIT) long.push(`${file}:${i + 1}: ${line.length} characters`);
    });
}
if (long.length > 0) {
  console.error(`${long.length} lines over ${LIMIT} characters:\n${long.join("\n")}`);
  process.exit(1);
}
console.log(`check:lines: ${files.length} files, no line over ${LIMIT} characters`);
