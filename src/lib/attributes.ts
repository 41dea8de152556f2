import { unprocessable } from "./errors";

/**
 * Limits of every free-form JSON object the API stores (custom_attributes, additional_attributes,
 * ui_settings, content_attributes, template_params). D1 refuses a row over 2 MB, and a change
 * event holds an object twice (before and after): without limits, a merge of two large objects
 * grew a row past that and answered 500. Checked on each request body and again on the result
 * of every merge, before anything is written.
 */
export const ATTRIBUTE_LIMITS = {
  /** Keys at the top level. */
  keys: 200,
  /** Characters of a key. */
  keyLength: 255,
  /** Bytes of one value, serialized as JSON (UTF-8). */
  valueBytes: 16 * 1024,
  /** Bytes of the whole object, serialized as JSON (UTF-8). */
  totalBytes: 64 * 1024,
} as const;

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value) ?? "").length;

/** What is wrong with an object under ATTRIBUTE_LIMITS, or null. */
export function attributesProblem(object: Record<string, unknown>): string | null {
  const keys = Object.keys(object);
  if (keys.length > ATTRIBUTE_LIMITS.keys) return `must have at most ${ATTRIBUTE_LIMITS.keys} keys`;
  const long = keys.find((k) => k.length > ATTRIBUTE_LIMITS.keyLength);
  if (long !== undefined)
    return `keys must be at most ${ATTRIBUTE_LIMITS.keyLength} characters (${long.slice(0, 40)}…)`;
  const big = keys.find((k) => bytes(object[k]) > ATTRIBUTE_LIMITS.valueBytes);
  if (big !== undefined)
    return `${big.slice(0, 40)}: a value must be at most ${ATTRIBUTE_LIMITS.valueBytes} bytes as JSON`;
  if (bytes(object) > ATTRIBUTE_LIMITS.totalBytes)
    return `must be at most ${ATTRIBUTE_LIMITS.totalBytes} bytes as JSON`;
  return null;
}

/**
 * `patch` merged over `current` (keys in `patch` win), or a 422 naming `field` when the result
 * breaks ATTRIBUTE_LIMITS: the stored object may not outgrow what one request could set.
 */
export function mergeAttributes(
  field: string,
  current: Record<string, unknown>,
  patch: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (patch === undefined) return current;
  const merged = { ...current, ...patch };
  const problem = attributesProblem(merged);
  if (problem)
    throw unprocessable(`Validation failed: ${field}: ${problem} once merged with the stored ones`, [
      { field, message: `${problem} once merged with the stored ones` },
    ]);
  return merged;
}
