/**
 * A fault-injection rate from a test/soak-only switch (`FAULT_*` vars, see `npm run soak`):
 * a number in [0, 1], 0 when unset or malformed. These switches must stay unset in production.
 */
export function faultRate(value: string | undefined): number {
  const rate = Number(value ?? 0);
  return Number.isFinite(rate) ? Math.min(Math.max(rate, 0), 1) : 0;
}
