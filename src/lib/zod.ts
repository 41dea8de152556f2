import { z } from "@hono/zod-openapi";
import { ATTRIBUTE_LIMITS, attributesProblem } from "./attributes";
import { unprocessable, type ErrorDetail } from "./errors";

/**
 * Coercing field types. Chatwoot clients send ids as strings, booleans as "true"/"false"
 * (multipart forms) and objects as JSON strings; each is accepted and normalised here.
 */
const kindOf = (v: unknown) =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "array"
      : typeof v === "number" && !Number.isInteger(v)
        ? "a fraction"
        : typeof v === "string" && v.trim() === ""
          ? "an empty string"
          : typeof v;
/**
 * A union's error names what it takes and what came ("inbox_id: expected integer, got string"), not zod's
 * "Invalid input".
 */
const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, got ${kindOf(issue.input)}`,
});

export const zInt = z.union(
  [
    z.number().int(),
    z
      .string()
      .trim()
      .regex(/^-?\d+$/)
      .transform(Number),
  ],
  expected("integer"),
);
export const zId = z.union(
  [z.number().int().positive(), z.string().trim().regex(/^\d+$/).transform(Number)],
  expected("positive integer id"),
);

/**
 * No control characters (C0, DEL, C1): never part of an id, and a NUL or line break in one confuses lookups
 * and logs.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;
export const NO_CONTROL_CHARACTERS = "must not contain control characters";

/**
 * A key-like string (an identifier, a `source_id`, an `echo_id`, a label): trimmed, 1 to `max`
 * characters, no control characters (422 naming the field).
 */
export const zKey = (max = 255) => z.string().trim().min(1).max(max).regex(NO_CONTROL, NO_CONTROL_CHARACTERS);

/** A key that may also be sent empty, which means absent: fields Chatwoot never required. */
export const zBlankable = <T extends z.ZodType>(key: T) => z.union([z.literal("").transform(() => undefined), key]);

export const zBool = z.union(
  [
    z.boolean(),
    z.enum(["true", "false", "1", "0", "on", "off"]).transform((v) => v === "true" || v === "1" || v === "on"),
  ],
  expected("boolean"),
);

/** A free-form JSON object (also sent as a JSON string), within ATTRIBUTE_LIMITS. */
export const zJsonObject = z
  .union(
    [
      z.record(z.string(), z.unknown()),
      z.string().transform((s, ctx) => {
        try {
          const parsed: unknown = JSON.parse(s);
          if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
        } catch {
          /* reported below */
        }
        ctx.addIssue({ code: "custom", message: "expected JSON object, got a string that is not one" });
        return z.NEVER;
      }),
    ],
    expected("JSON object"),
  )
  .superRefine((object, ctx) => {
    const problem = attributesProblem(object);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description:
      `A JSON object: at most ${ATTRIBUTE_LIMITS.keys} keys of at most ${ATTRIBUTE_LIMITS.keyLength} characters, ` +
      `each value at most ${ATTRIBUTE_LIMITS.valueBytes} bytes and the whole at most ${ATTRIBUTE_LIMITS.totalBytes} ` +
      "bytes as JSON; where it is merged into a stored object, the result too",
  });

/** An array, also accepted as one value or a comma-separated string (form and query clients). */
export const zList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === "string" ? (v === "" ? [] : v.split(",").map((s) => s.trim())) : v),
    z.array(item, expected("array")),
  );

/** An empty string clears the value, as Chatwoot's forms send it. */
export const zClearable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? null : v), schema.nullable());

/**
 * Names drawn from `allowed` (event subscriptions): an array, a JSON array string or a comma
 * list. Unknown names are reported by name; duplicates are dropped.
 */
export const zNames = <T extends string>(allowed: readonly T[], opts: { nonEmpty: boolean; what: string }) =>
  z
    .preprocess(
      (v) => {
        if (typeof v !== "string" || !v.trim().startsWith("[")) return v;
        try {
          return JSON.parse(v);
        } catch {
          return v;
        }
      },
      zList(z.string().trim().max(100)).pipe(z.array(z.string()).max(100)),
    )
    .superRefine((names, ctx) => {
      const unknown = [...new Set(names.filter((n) => !(allowed as readonly string[]).includes(n)))];
      if (unknown.length > 0)
        ctx.addIssue({
          code: "custom",
          message:
            `unknown ${opts.what}${unknown.length > 1 ? "s" : ""}: ${unknown.slice(0, 10).join(", ")} ` +
            `(allowed: ${allowed.join(", ")})`,
        });
      else if (opts.nonEmpty && names.length === 0)
        ctx.addIssue({ code: "custom", message: `must list at least one ${opts.what}` });
    })
    .transform((names) => [...new Set(names)] as T[]);

/** Query values: an empty value means "no filter", never a 422 (clients send every filter). */
export const zQuery = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

export const zPage = zQuery(zInt.pipe(z.number().int().min(1).max(1_000_000)));

export function issuesToDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
}

export function validationError(error: z.ZodError) {
  const details = issuesToDetails(error);
  const summary = details.map((d) => `${d.field}: ${d.message}`).join("; ");
  return unprocessable(`Validation failed: ${summary}`, details);
}
