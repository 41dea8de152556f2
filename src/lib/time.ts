/** Unix seconds, as Chatwoot's REST and push payloads carry timestamps. */
export const unix = (ms: number | null | undefined): number | null => (ms == null ? null : Math.floor(ms / 1000));
/** Unix seconds or 0, for the `*_last_seen_at` fields Chatwoot never leaves null. */
export const unixOrZero = (ms: number | null | undefined): number => (ms == null ? 0 : Math.floor(ms / 1000));
/** Float seconds, as Chatwoot's `updated_at`. */
export const unixFloat = (ms: number): number => ms / 1000;
export const iso = (ms: number): string => new Date(ms).toISOString();
