import type { Context } from "hono";
import type { z } from "@hono/zod-openapi";
import { badRequest, payloadTooLarge, unsupportedMediaType } from "./errors";
import { validationError } from "./zod";

export const MAX_JSON_BYTES = 2 * 1024 * 1024;
export const MAX_MULTIPART_BYTES = 20 * 1024 * 1024;
/** The largest file (Chatwoot's limit), in a message or an upload. */
export const MAX_FILE_BYTES = 40 * 1024 * 1024;
/**
 * A multipart body of a route that takes files: a file of the largest size and the form around it.
 * The platform buffers a form whole (`formData`), so this is also what such a request may hold in
 * memory; more files than that go through the upload endpoint one at a time.
 */
export const MAX_FILE_BODY_BYTES = MAX_FILE_BYTES + 1024 * 1024;

/** Body schemas whose multipart bodies may carry files, up to MAX_FILE_BODY_BYTES (`takesFiles`). */
const fileBodies = new WeakSet<z.ZodType>();

/** Marks a body schema as one that takes files: its multipart bodies may be as large as MAX_FILE_BODY_BYTES. */
export function takesFiles<T extends z.ZodType>(schema: T): T {
  fileBodies.add(schema);
  return schema;
}

type Fields = Record<string, unknown>;

function isPlainObject(v: unknown): v is Fields {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof File);
}

/** The body, refused with 413 past `limit` bytes whether or not a content-length announced it. */
export async function readLimited(c: Context, limit: number): Promise<ArrayBuffer> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > limit) throw payloadTooLarge();
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > limit) throw payloadTooLarge();
  return buf;
}

/**
 * Form fields as an object: `attachments[]` repeats into an array, and Rails-style nested
 * keys (`profile[name]`, `message[attachments][]`) nest one level, as Chatwoot's dashboard sends.
 */
function formToObject(form: FormData): Fields {
  const out: Fields = {};
  form.forEach((value, rawKey) => {
    const nested = rawKey.match(/^([^[\]]+)\[([^[\]]+)\](\[\])?$/);
    if (nested && !isPlainObject(out[nested[1]])) out[nested[1]] = {};
    const target = nested ? (out[nested[1]] as Fields) : out;
    const name = nested ? nested[2] + (nested[3] ?? "") : rawKey;
    const isList = name.endsWith("[]");
    const key = isList ? name.slice(0, -2) : name;
    if (!isList) target[key] = value;
    else if (Array.isArray(target[key])) target[key].push(value);
    else target[key] = [value];
  });
  return out;
}

/** JSON is UTF-8 (RFC 8259): bytes that are not would otherwise become U+FFFD and be stored as such. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function decodeUtf8(buf: ArrayBuffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw badRequest("The request body is not valid UTF-8");
  }
}

/**
 * Reads the request body whatever shape a Chatwoot client sent it in: JSON, multipart or
 * url-encoded forms, or nothing at all (an empty form-encoded POST is an empty object). A JSON
 * text sent as a form (curl's `-d '{...}'` without a Content-Type) is read as the JSON it is: as
 * a form it would be one field named after the whole text, and the request would go through
 * with none of what was sent.
 */
export async function readBody(c: Context, multipartLimit = MAX_MULTIPART_BYTES): Promise<Fields> {
  const type = mediaType(c);
  if (type === "multipart/form-data" || type === "application/x-www-form-urlencoded") {
    const buf = await readLimited(c, type === "multipart/form-data" ? multipartLimit : MAX_JSON_BYTES);
    if (buf.byteLength === 0) return {};
    if (type === "application/x-www-form-urlencoded" && looksLikeJson(buf)) return parseJson(buf);
    try {
      const req = new Request("http://body.local", {
        method: "POST",
        headers: { "content-type": c.req.header("content-type")! },
        body: buf,
      });
      return formToObject(await req.formData());
    } catch {
      throw badRequest("Malformed form data in request body");
    }
  }
  const buf = await readLimited(c, MAX_JSON_BYTES);
  if (buf.byteLength === 0) return {};
  // The type first: a binary body of another type is a 415, not a UTF-8 error. No type at all is read as JSON.
  if (type !== "" && !/^application\/([\w.-]+\+)?json$/.test(type)) {
    throw unsupportedMediaType(
      `Unsupported Content-Type '${type}': ` +
        "send application/json, multipart/form-data or application/x-www-form-urlencoded",
    );
  }
  return parseJson(buf);
}

/** The request's media type, lower-cased, without its parameters ("" when none was sent). */
export const mediaType = (c: Context) => (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();

/** Whether `readBody` reads bodies of this media type (JSON, the two forms, or none at all). */
export const readsAsFields = (type: string) =>
  type === "" ||
  type === "multipart/form-data" ||
  type === "application/x-www-form-urlencoded" ||
  /^application\/([\w.-]+\+)?json$/.test(type);

/** Whether a form-encoded body is really a JSON object or array (its first non-blank byte is `{` or `[`). */
function looksLikeJson(buf: ArrayBuffer): boolean {
  const bytes = new Uint8Array(buf);
  const first = bytes.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  return first === 0x7b || first === 0x5b;
}

function parseJson(buf: ArrayBuffer): Fields {
  const text = decodeUtf8(buf);
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8 names where it stopped ("… in JSON at position 12 (line 1 column 13)").
    const where = String((err as Error).message).match(/at position \d+(?: \(line \d+ column \d+\))?/)?.[0];
    throw badRequest(`Malformed JSON in request body${where ? ` ${where}` : ""}`);
  }
  if (!isPlainObject(parsed)) throw badRequest("The request body must be a JSON object");
  return parsed;
}

/**
 * The body as `schema` reads it, or undefined when it does not: for reads a route makes before
 * authentication has admitted the caller (in the same D1 round trip as the token check). The
 * body's own error, if any, is answered later by the route's validation, after authentication,
 * so a caller without a valid token never learns more than that. The bytes are read once (Hono
 * keeps them for the second reading).
 */
export async function peekBody<T extends z.ZodType>(c: Context, schema: T, wrap?: string) {
  try {
    return await parseBody(c, schema, wrap);
  } catch {
    return undefined;
  }
}

/** Each request's parsed bodies, by schema and wrap: a route's load may read the body before its validation. */
const parsed = new WeakMap<Request, Map<z.ZodType, Map<string, Promise<unknown>>>>();

/**
 * Validates the body against `schema`. With `wrap`, a body wrapped in the resource name
 * (`{"contact": {...}}`, as Rails' wrap_parameters allows) is accepted as well as a flat one.
 * Read and validated once per request and schema: a second call (the route's validation after a
 * load that peeked at the body) gets the same result, or the same error.
 */
export function parseBody<T extends z.ZodType>(c: Context, schema: T, wrap?: string): Promise<z.output<T>> {
  const bySchema = parsed.get(c.req.raw) ?? new Map<z.ZodType, Map<string, Promise<unknown>>>();
  parsed.set(c.req.raw, bySchema);
  const byWrap = bySchema.get(schema) ?? new Map<string, Promise<unknown>>();
  bySchema.set(schema, byWrap);
  const known = byWrap.get(wrap ?? "") as Promise<z.output<T>> | undefined;
  if (known) return known;
  const result = validate(c, schema, wrap);
  byWrap.set(wrap ?? "", result);
  return result;
}

async function validate<T extends z.ZodType>(c: Context, schema: T, wrap?: string): Promise<z.output<T>> {
  let fields = await readBody(c, fileBodies.has(schema) ? MAX_FILE_BODY_BYTES : MAX_MULTIPART_BYTES);
  if (wrap && isPlainObject(fields[wrap])) {
    const { [wrap]: inner, ...rest } = fields;
    fields = { ...rest, ...(inner as Fields) };
  }
  const result = schema.safeParse(fields);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
