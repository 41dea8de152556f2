import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { ATTRIBUTE_LIMITS } from "../src/lib/attributes";
import type { ApiResponse } from "./helpers/api";
import { as, createConversation, createWorld, expectError, platform, unique } from "./helpers/factories";
import { client, ok, startConversation } from "./helpers/public-client";

/**
 * Free-form JSON objects have limits (docs/api.md), checked on the request and on the result of
 * every merge: a large object was accepted, and merging more into it grew the row past D1's
 * 2 MB and answered 500 (SQLITE_TOOBIG) on every later write.
 */

/** `count` keys of 1,000-character values, named after `prefix` so merges add new keys. */
const attributes = (count: number, prefix = "k") =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, "v".repeat(1000)]));
/** About 40 KB: one fits, two merged do not. */
const half = (prefix: string) => attributes(40, prefix);

function expectLimit(res: ApiResponse, field: string, message: RegExp) {
  expectError(res, 422);
  expect(
    res.body.details.some((d: { field: string; message: string }) => d.field === field && message.test(d.message)),
    res.text,
  ).toBe(true);
}

const scalar = async (query: string, ...params: unknown[]) =>
  (await env.DB.prepare(query)
    .bind(...params)
    .first<{ v: string | number }>())!.v;

describe("attribute limits on a request", () => {
  it("refuses too many keys, long keys, a large value and a large object, and accepts what is within", async () => {
    const w = await createWorld();
    const post = (custom_attributes: unknown) =>
      as(w.admin).post(`${w.base}/contacts`, { name: "A", custom_attributes });
    const before = await scalar("select count(*) as v from contacts where account_id = ?", w.account.id);
    // The report's body: 1,400 values of 1,000 characters (1.4 MB).
    expectLimit(await post(attributes(1400)), "custom_attributes", /at most 200 keys/);
    expectLimit(await post(attributes(66)), "custom_attributes", /at most 65536 bytes/);
    expectLimit(await post({ ["k".repeat(256)]: 1 }), "custom_attributes", /keys must be at most 255 characters/);
    expectLimit(
      await post({ big: "x".repeat(ATTRIBUTE_LIMITS.valueBytes) }),
      "custom_attributes",
      /a value must be at most 16384 bytes/,
    );
    expectLimit(await post(JSON.stringify(attributes(201, "s"))), "custom_attributes", /at most 200 keys/);
    expect(await scalar("select count(*) as v from contacts where account_id = ?", w.account.id)).toBe(before);

    const within = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`${"k".repeat(250)}${i}`, "v".repeat(60)]),
    );
    expect((await post(within)).status).toBe(200);
    expect((await post({ big: "x".repeat(ATTRIBUTE_LIMITS.valueBytes - 2) })).status).toBe(200);
  });

  it(
    "applies to every free-form object: additional_attributes, " + "conversation, message and profile objects",
    async () => {
      const w = await createWorld();
      const { path } = await createConversation(w);
      const huge = attributes(70);
      expectLimit(
        await as(w.admin).post(`${w.base}/contacts`, { name: "A", additional_attributes: huge }),
        "additional_attributes",
        /bytes/,
      );
      expectLimit(
        await as(w.admin).post(`${path}/custom_attributes`, { custom_attributes: huge }),
        "custom_attributes",
        /bytes/,
      );
      expectLimit(
        await as(w.admin).post(`${path}/messages`, { content: "x", content_attributes: huge }),
        "content_attributes",
        /bytes/,
      );
      expectLimit(await as(w.admin).patch("/api/v1/profile", { ui_settings: huge }), "ui_settings", /bytes/);
      expectLimit(
        await as(w.admin).post(`${w.base}/conversations`, { source_id: unique("s"), custom_attributes: huge }),
        "custom_attributes",
        /bytes/,
      );
    },
  );
});

describe("attribute limits on merges: the stored object cannot be grown past them", () => {
  it("Application API contact updates", async () => {
    const w = await createWorld();
    const created = ok(
      await as(w.admin).post(`${w.base}/contacts`, {
        name: "A",
        custom_attributes: half("a"),
        additional_attributes: half("a"),
      }),
    );
    const path = `${w.base}/contacts/${created.payload.contact.id}`;
    const stored = await scalar("select custom_attributes as v from contacts where id = ?", created.payload.contact.id);
    for (const field of ["custom_attributes", "additional_attributes"])
      expectLimit(
        await as(w.admin).patch(path, { name: "B", [field]: half("b") }),
        field,
        /once merged with the stored ones/,
      );
    // Nothing of the refused update was written, the name included.
    const after = await as(w.admin).get(path);
    expect(after.body.payload.name).toBe("A");
    expect(await scalar("select custom_attributes as v from contacts where id = ?", created.payload.contact.id)).toBe(
      stored,
    );
    // Replacing stored keys does not grow the object: allowed.
    expect((await as(w.admin).patch(path, { custom_attributes: half("a") })).status).toBe(200);
    expect((await as(w.admin).patch(path, { custom_attributes: { a0: "short" } })).status).toBe(200);
  });

  it("client API contact updates (no token needed) and answers to a form", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const session = ok(await c.post("/contacts", { name: "Maya", custom_attributes: half("a") }));
    expectLimit(
      await c.patch(`/contacts/${session.source_id}`, { custom_attributes: half("b") }),
      "custom_attributes",
      /once merged/,
    );
    expect(ok(await c.get(`/contacts/${session.source_id}`)).custom_attributes).toEqual(half("a"));

    const { conversation, path } = await startConversation(c);
    const form = ok(
      await as(w.admin).post(`${w.base}/conversations/${conversation.id}/messages`, {
        content: "Pick one",
        content_type: "input_select",
        content_attributes: { items: [{ title: "Yes", value: "yes" }] },
      }),
    );
    const answers = Array.from({ length: 100 }, () => ({ title: "t".repeat(200), value: "v".repeat(200) }));
    expectLimit(
      await c.patch(`${path}/messages/${form.id}`, { submitted_values: answers }),
      "submitted_values",
      /value must be at most 16384 bytes/,
    );
    expect(
      ok(await c.patch(`${path}/messages/${form.id}`, { submitted_values: [{ title: "Yes", value: "yes" }] }))
        .content_attributes,
    ).toMatchObject({
      submitted_values: [{ title: "Yes", value: "yes" }],
    });
  });

  it("conversation custom_attributes, profile and Platform objects", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    ok(await as(w.admin).post(`${path}/custom_attributes`, { custom_attributes: half("a") }));
    // Replaced, as Chatwoot does: a second large object is fine, and the event holding both fits a row.
    ok(await as(w.admin).post(`${path}/custom_attributes`, { custom_attributes: half("b") }));

    ok(await as(w.agent).patch("/api/v1/profile", { custom_attributes: half("a"), ui_settings: half("a") }));
    expectLimit(
      await as(w.agent).patch("/api/v1/profile", { custom_attributes: half("b") }),
      "custom_attributes",
      /once merged/,
    );
    expectLimit(await as(w.agent).put("/api/v1/profile", { ui_settings: half("b") }), "ui_settings", /once merged/);

    const accountPath = `/platform/api/v1/accounts/${w.account.id}`;
    ok(await platform().patch(accountPath, { custom_attributes: half("a") }));
    expectLimit(
      await platform().patch(accountPath, { custom_attributes: half("b") }),
      "custom_attributes",
      /once merged/,
    );
    const userPath = `/platform/api/v1/users/${w.outsider.id}`;
    ok(await platform().patch(userPath, { custom_attributes: half("c") }));
    expectLimit(await platform().patch(userPath, { custom_attributes: half("d") }), "custom_attributes", /once merged/);
  });
});
