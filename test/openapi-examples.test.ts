import { describe, expect, inject, it } from "vitest";
import { documentedOperations, fillPath, type Operation } from "./helpers/access";
import { api, type ApiResponse } from "./helpers/api";
import { and, eq } from "drizzle-orm";
import { deliveries, events, inboxes } from "../src/db/schema";
import { testDb, unique } from "./helpers/factories";
import { MATRIX, matrixWorld, type Ctx } from "./helpers/operations";
import { familyOf, type Target, targets } from "./helpers/targets";
import { passwordTokenFor } from "../src/services/sessions";
import type { Example, Examples } from "../src/routes/docs/examples";
import committed from "../public/openapi/examples.json";

/**
 * Every operation's example in /openapi.json comes from this file: each documented operation is
 * called once as the caller entitled to it, with a valid body, and what it answered is the
 * example. `npm run docs:examples` writes them to public/openapi/examples.json; the ordinary run
 * compares each call with the committed example and fails when one no longer matches (another
 * status, other fields), so the examples stay what the API really answers.
 */

/** Operations that answer no 2xx to a plain request, and why. */
const NOT_OK: Record<string, string> = {
  "GET /cable": "a WebSocket upgrade: a plain GET is refused with 426",
  "GET /api/v1/accounts/{account_id}/conversations/{conversation_id}/attachments/{attachment_id}":
    "a redirect (302) to the attachment's signed data_url",
};

/** Credentials in an example would read as real ones: shown as a placeholder of the same type. */
const SECRET = /token|secret|password|hmac/i;
function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, SECRET.test(k) && typeof x === "string" ? "<redacted>" : redact(x)]),
  );
}

/** What must stay the same between the committed example and a new call: the fields, not their values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return ["array of", v.length ? shape(v[0]) : "nothing"];
  if (v && typeof v === "object") return Object.keys(v).sort();
  return v === null ? "null" : typeof v;
}

/** Operations whose example needs more than the fuzz targets give. */
async function special(op: Operation, w: Ctx, target: Target): Promise<{ body?: unknown; path?: string } | undefined> {
  if (op.key === "POST /auth/sign_in") return { body: { email: w.admin.email, password: "Secret-password-1" } };
  if (op.key === "POST /auth/password") {
    const { token, statement } = await passwordTokenFor(testDb(), w.spare.id);
    await statement;
    return { body: { token, password: "A-new-password-2", password_confirmation: "A-new-password-2" } };
  }
  if (op.key === "GET /attachments/{account_id}/{key}/{file_name}") {
    const form = new FormData();
    form.append("content", "The invoice");
    form.append("attachments[]", new File(["%PDF-1.4 example"], "invoice.pdf", { type: "application/pdf" }));
    const sent = await api("POST", `${w.base}/conversations/${w.ids.conversation_id}/messages`, form, {
      token: w.admin.token,
    });
    expect(sent.status, sent.text).toBe(200);
    const url = new URL(sent.body.attachments[0].data_url);
    return { path: url.pathname + url.search };
  }
  if (op.key === "POST /api/v1/accounts/{account_id}/inboxes/{id}/deliveries/{delivery_id}/redeliver") {
    // The world's dead delivery is its webhook's; the inbox's webhook_url needs one of its own.
    const db = testDb();
    const [event] = await db.select().from(events).where(eq(events.accountId, w.account.id)).limit(1);
    await db.update(inboxes).set({ webhookUrl: "https://hooks.example.com/inbox" }).where(eq(inboxes.id, w.inbox.id));
    const [dead] = await db
      .insert(deliveries)
      .values({ uid: unique("msg"), accountId: w.account.id, eventId: event.id, inboxId: w.inbox.id, status: "dead" })
      .returning();
    return { path: fillPath(op.path, { ...target.ids, delivery_id: dead.id }) };
  }
  if (op.path.startsWith("/api/v1/accounts/{account_id}/events")) {
    // The change feed's example: the world's message, as its webhook body shows it (the seeded event has none).
    const posted = await testDb()
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.accountId, w.account.id), eq(events.messageId, w.messageId)))
      .limit(1);
    if (op.path.endsWith("{id}")) return { path: fillPath(op.path, { ...target.ids, "id:events": posted[0].id }) };
    return { path: `${fillPath(op.path, target.ids)}?after=${posted[0].id - 1}&limit=1` };
  }
  if (op.path.endsWith("/messages/{message_id}") && op.path.startsWith("/public/")) {
    // What a contact answers: an agent's interactive message, here a select.
    const select = await api(
      "POST",
      `${w.base}/conversations/${target.ids.conversation_id}/messages`,
      {
        content: "Was this helpful?",
        content_type: "input_select",
        content_attributes: {
          items: [
            { title: "Yes", value: "yes" },
            { title: "No", value: "no" },
          ],
        },
      },
      { token: w.admin.token },
    );
    expect(select.status, select.text).toBe(200);
    return { path: fillPath(op.path, { ...target.ids, message_id: select.body.id }) };
  }
  return undefined;
}

async function call(op: Operation, w: Ctx, target: Target): Promise<{ res: ApiResponse; request?: unknown }> {
  await MATRIX[op.key]?.before?.(w);
  const extra = await special(op, w, target);
  const request = op.method === "GET" ? undefined : (extra?.body ?? target.body(op.key) ?? {});
  const res = await api(op.method, extra?.path ?? fillPath(op.path, target.ids), request, { token: target.token });
  return { res, request };
}

function exampleOf(res: ApiResponse, request: unknown): Example {
  const json = res.headers.get("content-type")?.includes("application/json") && res.text ? res.body : undefined;
  return {
    ...(request !== undefined && { request: redact(request) }),
    status: res.status,
    ...(json !== undefined && { response: redact(json) }),
  };
}

/** Operations the access matrix does not run on its shared world get one of their own, after the others. */
const alone = (op: Operation) => MATRIX[op.key]?.skip !== undefined;

async function record(ops: Operation[]): Promise<Examples> {
  const shared = await matrixWorld();
  const sharedTargets = new Map<string, Target>();
  const recorded: Examples = {};
  for (const op of ops) {
    const family = familyOf(op);
    const w = alone(op) ? await matrixWorld() : shared;
    let target = alone(op) ? undefined : sharedTargets.get(family);
    if (!target) {
      target = await targets[family](w);
      if (!alone(op)) sharedTargets.set(family, target);
    }
    const { res, request } = await call(op, w, target);
    if (!NOT_OK[op.key]) expect(res.status, `${op.key}: ${res.text.slice(0, 200)}`).toBeLessThan(300);
    recorded[op.key] = exampleOf(res, request);
  }
  return recorded;
}

describe("OpenAPI examples", () => {
  it("are what each operation answers to a real call, for every documented operation", async () => {
    const ops = (await documentedOperations()).sort((a, b) => Number(alone(a)) - Number(alone(b)));
    const recorded = await record(ops);
    if (inject("recordExamples")) {
      const res = await fetch(`${inject("receiverUrl")}/examples`, { method: "POST", body: JSON.stringify(recorded) });
      expect(res.status).toBe(200);
      return;
    }
    const saved = committed as Examples;
    expect(Object.keys(saved).sort(), "run `npm run docs:examples`").toEqual(Object.keys(recorded).sort());
    const stale = Object.entries(recorded).flatMap(([key, now]) => {
      const then = saved[key];
      const same =
        then.status === now.status &&
        JSON.stringify(shape(then.request)) === JSON.stringify(shape(now.request)) &&
        JSON.stringify(shape(then.response)) === JSON.stringify(shape(now.response));
      return same ? [] : [key];
    });
    expect(stale, "these examples no longer match their operation: run `npm run docs:examples`").toEqual([]);
  }, 120_000);

  it("are served in /openapi.json on each operation's request body and response", async () => {
    const { body: doc } = await api("GET", "/openapi.json");
    const missing: string[] = [];
    for (const [key, example] of Object.entries(committed as Examples)) {
      const [method, path] = key.split(" ");
      const op = doc.paths[path][method.toLowerCase()];
      const json = op.requestBody?.content?.["application/json"];
      if (json && example.request !== undefined && json.example === undefined) missing.push(`${key} request`);
      const answered = op.responses[String(example.status)];
      if (!answered) missing.push(`${key}: ${example.status} is not a documented response`);
      else if (answered.content?.["application/json"] && answered.content["application/json"].example === undefined)
        missing.push(`${key} response`);
    }
    expect(missing).toEqual([]);
    const create = doc.paths["/api/v1/accounts/{account_id}/contacts"].post;
    expect(create.requestBody.content["application/json"].example).toHaveProperty("name");
    expect(create.responses["200"].content["application/json"].example.payload.contact).toHaveProperty("id");
  });

  it("show no credential", () => {
    const text = JSON.stringify(committed);
    const keyed = [...text.matchAll(/"(\w*(?:token|secret|password|hmac)\w*)":"([^"]*)"/gi)];
    expect(keyed.filter(([, , value]) => value !== "<redacted>").map(([, key]) => key)).toEqual([]);
  });
});
