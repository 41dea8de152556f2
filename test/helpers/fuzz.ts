/**
 * Bad requests generated from `/openapi.json`: for each documented operation, paths with ids that
 * cannot exist, bodies that are not what the operation reads, and for every documented field a
 * value its schema refuses. Deterministic: the same document gives the same cases, so a failure
 * reproduces. Which variant a field gets rotates with its position, so across the document every
 * kind of bad value is sent without sending every kind to every field.
 */

export type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  $ref?: string;
};

type Parameter = { name: string; in: string; schema: JsonSchema };
type OperationDoc = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
  responses?: Record<string, unknown>;
};
export type OpenApiDoc = {
  paths: Record<string, Record<string, OperationDoc>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

/** What one bad request is: how to build it, and whether the API must refuse it (4xx) or only survive it. */
export type FuzzCase = {
  label: string;
  /** Replaces `{param}`s that the case does not set. */
  path?: Record<string, string>;
  query?: Record<string, string>;
  /** A JSON value to send, or a raw body with its content type. */
  json?: unknown;
  raw?: { body: BodyInit; contentType?: string };
  /** true: the request is invalid and must be refused with a 4xx; false: any answer but a 5xx. */
  refuse: boolean;
  /** The refusals that fit the input (a wrong id is a 404, not a 403 or 409); any 4xx if absent. */
  statuses?: number[];
  /** The field a 422 must name in its `details`: the refusal is about what was changed. */
  field?: string;
};

const TWO_MIB = 2 * 1024 * 1024;
const OVERSIZE = `{"content":"${"a".repeat(TWO_MIB)}"}`;

/** Ids that name nothing: zero, negative, beyond any row, not a number, traversal, unicode, NUL. */
const PATH_VALUES = [
  "0",
  "-1",
  "99999999999999999999",
  "1.5",
  "abc",
  "..%2F..%2Fetc%2Fpasswd",
  "%E2%9C%93%F0%9F%98%80",
  "%00",
  "1%20or%201%3D1",
];

/** Bodies no operation reads, whatever its schema. */
const BODY_CASES: FuzzCase[] = [
  {
    label: "malformed JSON",
    raw: { body: '{"name": "unterminated', contentType: "application/json" },
    refuse: true,
    statuses: [400],
  },
  { label: "a JSON array", raw: { body: "[1, 2]", contentType: "application/json" }, refuse: true, statuses: [400] },
  { label: "a JSON string", raw: { body: '"text"', contentType: "application/json" }, refuse: true, statuses: [400] },
  {
    label: "invalid UTF-8",
    raw: { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), contentType: "application/json" },
    refuse: true,
    statuses: [400],
  },
  {
    label: "an XML content type",
    raw: { body: "<contact><name>x</name></contact>", contentType: "application/xml" },
    refuse: true,
    statuses: [415],
  },
  {
    label: "multipart without a boundary",
    raw: { body: "name=x", contentType: "multipart/form-data" },
    refuse: true,
    statuses: [400],
  },
  {
    label: "multipart with a broken body",
    raw: { body: "--zzz\r\nContent-Disposition: form-data\r\n\r\nx", contentType: "multipart/form-data; boundary=zzz" },
    refuse: true,
    statuses: [400],
  },
  {
    label: "a body over 2 MiB",
    raw: { body: OVERSIZE, contentType: "application/json" },
    refuse: true,
    statuses: [413],
  },
];

/** Values a field may hold only if its schema says nothing against them; they must never cause a 5xx. */
const ODD_STRINGS = [
  "\u0000\u202e😀 é \ud800",
  "'; drop table messages; --",
  "{{7*7}} <script>alert(1)</script>",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ".repeat(40),
];
const ODD_NUMBERS = [1e308, 2 ** 53 + 1, -0, -1, 0];

/** A search of many words: one INTERSECT a word once ran into D1's compound-SELECT limit at six. */
const MANY_WORDS = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");

/**
 * Objects of about 40 KB with keys of their own: one fits the limit (docs/api.md), two merged into
 * the same stored object do not, so repeated merges must end in a 422, never grow a row past D1's.
 */
const largeObject = (round: number) =>
  Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`fuzz${round}_${i}`, "v".repeat(1000)]));
const LARGE_MERGES = 3;
/** Over the limit in one request (70 KB). */
const OVERSIZE_OBJECT = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`huge${i}`, "v".repeat(1000)]));

const kindOf = (v: unknown) =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "array"
      : typeof v === "number"
        ? Number.isInteger(v)
          ? "integer"
          : "number"
        : typeof v;

/** Wrong-kind probes: an object, an array, a boolean, a string and an integer. */
const KIND_PROBES: unknown[] = [{ nested: { deep: [1] } }, [{ x: 1 }], true, "✗ not a valid value ✗", 12345];

export class Fuzzer {
  constructor(private readonly doc: OpenApiDoc) {}

  private resolve(s: JsonSchema): JsonSchema {
    if (!s.$ref) return s;
    const name = s.$ref.replace("#/components/schemas/", "");
    const found = this.doc.components?.schemas?.[name];
    if (!found) throw new Error(`unresolved ${s.$ref}`);
    return this.resolve(found);
  }

  /** The alternatives a value may match (anyOf/oneOf flattened), each resolved. */
  private alternatives(s: JsonSchema): JsonSchema[] {
    const r = this.resolve(s);
    const alts = r.anyOf ?? r.oneOf;
    return alts ? alts.flatMap((a) => this.alternatives(a)) : [r];
  }

  /** An object schema's properties and required names, allOf merged. */
  objectShape(s: JsonSchema): { properties: Record<string, JsonSchema>; required: string[] } {
    const r = this.resolve(s);
    const parts = r.allOf
      ? r.allOf.map((p) => this.objectShape(p))
      : [{ properties: r.properties ?? {}, required: r.required ?? [] }];
    return {
      properties: Object.assign({}, ...parts.map((p) => p.properties)),
      required: parts.flatMap((p) => p.required),
    };
  }

  /**
   * The fields a body is checked against. A wrapper (`{"profile": {...}}`, Rails' wrap_parameters)
   * that the valid body does not use is looked through: its fields are sent flat.
   */
  private bodyShape(s: JsonSchema, validBody: Record<string, unknown>) {
    const shape = this.objectShape(s);
    const names = Object.keys(shape.properties);
    if (names.length !== 1 || names[0] in validBody) return shape;
    const inner = this.objectShape(shape.properties[names[0]]);
    return Object.keys(inner.properties).length ? inner : shape;
  }

  /** Whether `value` matches at least one alternative, as far as this fuzzer reads schemas. */
  accepts(s: JsonSchema, value: unknown): boolean {
    return this.alternatives(s).some((alt) => this.matches(alt, value));
  }

  private matches(alt: JsonSchema, value: unknown): boolean {
    const kinds = alt.type === undefined ? undefined : Array.isArray(alt.type) ? alt.type : [alt.type];
    const kind = kindOf(value);
    // A list may be sent as one comma-separated string (docs/api.md, "Request bodies").
    if (typeof value === "string" && kinds?.includes("array") && alt.items)
      return value.split(",").every((part) => this.accepts(alt.items!, part.trim()));
    if (alt.enum) return alt.enum.some((e) => e === value);
    if (kinds && !kinds.includes(kind) && !(kind === "integer" && kinds.includes("number"))) return false;
    if (typeof value === "string") {
      if (alt.maxLength !== undefined && [...value].length > alt.maxLength) return false;
      if (alt.minLength !== undefined && [...value].length < alt.minLength) return false;
      if (alt.pattern && !new RegExp(alt.pattern, "u").test(value)) return false;
      if (alt.format === "email" || alt.format === "uri" || alt.format === "binary") return false;
    }
    if (typeof value === "number") {
      if (alt.minimum !== undefined && value < alt.minimum) return false;
      if (alt.exclusiveMinimum !== undefined && value <= alt.exclusiveMinimum) return false;
      if (alt.maximum !== undefined && value > alt.maximum) return false;
    }
    if (Array.isArray(value) && alt.maxItems !== undefined && value.length > alt.maxItems) return false;
    return true;
  }

  /**
   * Values the field's schema refuses: a wrong kind, a string past maxLength, a number under the minimum, a
   * fraction for an integer, too many items.
   */
  refusedValues(s: JsonSchema): unknown[] {
    const alts = this.alternatives(s);
    // A control character refuses a key (docs/api.md); the field's pattern says whether it is one.
    const candidates: unknown[] = [...KIND_PROBES, -1, 1.5, "key\u0000none"];
    const longest = Math.max(0, ...alts.map((a) => a.maxLength ?? 0));
    if (longest > 0) candidates.push("é".repeat(longest + 1));
    const most = Math.max(0, ...alts.map((a) => a.maxItems ?? 0));
    if (most > 0) candidates.push(Array.from({ length: most + 1 }, () => "x"));
    return candidates.filter((v) => !this.accepts(s, v));
  }

  /** Values the field's schema allows but that are odd: control characters, SQL, huge or negative numbers. */
  oddValues(s: JsonSchema): unknown[] {
    return [...ODD_STRINGS, ...ODD_NUMBERS].filter((v) => this.accepts(s, v));
  }

  /** Whether a field is a free-form object (custom_attributes and the like), as far as the document says. */
  isFreeFormObject(s: JsonSchema): boolean {
    return this.alternatives(s).some(
      (alt) => alt.type === "object" && !alt.properties && alt.additionalProperties !== false,
    );
  }

  /** The bad requests for one operation, given a valid body for it (or none). */
  cases(path: string, method: string, validBody: Record<string, unknown> | undefined, salt: number): FuzzCase[] {
    const op = this.doc.paths[path][method.toLowerCase()];
    const out: FuzzCase[] = [];
    const pathParams = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
    // Three ids that name nothing, each in one of the path's parameters, in turn. A tokenless
    // operation that documents a 403 is a signed link: a changed path no longer matches its signature.
    const signed = op.security?.length === 0 && op.responses?.["403"] !== undefined;
    for (let k = 0; k < Math.min(3, pathParams.length * 3); k++) {
      const value = PATH_VALUES[(salt * 3 + k) % PATH_VALUES.length];
      const param = pathParams[(salt + k) % pathParams.length];
      out.push({
        label: `path ${param}=${value}`,
        path: { [param]: value },
        json: validBody,
        refuse: true,
        statuses: signed ? [403] : [400, 404, 422],
      });
    }
    for (const [i, q] of (op.parameters ?? []).filter((p) => p.in === "query").entries()) {
      // On the wire every query value is a string; a list is its items, repeated or comma-separated.
      const items = this.alternatives(q.schema).find((alt) => alt.items)?.items;
      const refused = this.refusedValues(items ?? q.schema).filter((v): v is string => typeof v === "string");
      if (refused.length)
        out.push({
          label: `query ${q.name}`,
          query: { [q.name]: refused[(salt + i) % refused.length] },
          refuse: true,
          statuses: [422],
          field: q.name,
        });
      if (!items && this.accepts(q.schema, MANY_WORDS))
        out.push({ label: `query ${q.name} of many words`, query: { [q.name]: MANY_WORDS }, refuse: false });
    }
    const content = op.requestBody?.content;
    if (!content || !validBody) return out;
    // A route that streams its body (an upload) takes any other type as the file itself.
    const streamed = "application/octet-stream" in content;
    out.push(...BODY_CASES.filter((b) => !streamed || /json|multipart/.test(b.raw?.contentType ?? "")));
    const { properties, required } = this.bodyShape(Object.values(content)[0].schema, validBody);
    for (const [i, [name, schema]] of Object.entries(properties).entries()) {
      const refused = this.refusedValues(schema);
      if (refused.length)
        out.push({
          label: `field ${name}`,
          json: { ...validBody, [name]: refused[(salt + i) % refused.length] },
          refuse: true,
          statuses: [422],
          field: name,
        });
    }
    // Free-form objects: the same operation again and again with large new keys, then one too large.
    // A round may be refused for another reason (a create's unique e-mail, sent again), so its 422 need not
    // name the field.
    for (const [name] of Object.entries(properties).filter(([, schema]) => this.isFreeFormObject(schema))) {
      for (let round = 0; round < LARGE_MERGES; round++)
        out.push({
          label: `large ${name} ${round + 1}/${LARGE_MERGES}`,
          json: { ...validBody, [name]: largeObject(round) },
          refuse: false,
          statuses: [422],
        });
      out.push({
        label: `oversize ${name}`,
        json: { ...validBody, [name]: OVERSIZE_OBJECT },
        refuse: true,
        statuses: [422],
        field: name,
      });
    }
    if (required.length) {
      const { [required[0]]: _, ...rest } = validBody;
      out.push({ label: `without ${required[0]}`, json: rest, refuse: true, statuses: [422], field: required[0] });
    }
    // Two odd-but-allowed values, in fields that take them.
    const oddFields = Object.entries(properties).filter(([, schema]) => this.oddValues(schema).length > 0);
    for (let k = 0; k < Math.min(2, oddFields.length); k++) {
      const [name, schema] = oddFields[(salt + k) % oddFields.length];
      const odd = this.oddValues(schema);
      out.push({ label: `odd ${name}`, json: { ...validBody, [name]: odd[(salt + k) % odd.length] }, refuse: false });
    }
    return out;
  }
}
