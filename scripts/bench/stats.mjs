// Figures and tables for the bench scripts: percentiles, number formats, plain-text tables.

/** Nearest-rank percentile of an ascending array (undefined when empty). */
export const percentile = (sorted, p) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
    : undefined;

export const ms = (value) => (value === undefined || Number.isNaN(value) ? "n/a" : `${value.toFixed(1)} ms`);
export const rate = (value) => (value === undefined ? "n/a" : value.toFixed(value < 10 ? 1 : 0));

export const now = () => performance.now();
export const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

/** A fixed-width text table; numbers and "ms" figures are right-aligned. */
export function table(headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell ?? "")));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const right = (s) => /^[-\d.,x% ]+(ms|s|%|x)?$/.test(s) || s === "n/a";
  const line = (row) =>
    row
      .map((cell, i) => (right(cell) && cell !== row[0] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
