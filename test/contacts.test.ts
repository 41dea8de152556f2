import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { as, createContact, createWorld, expectError, unique } from "./helpers/factories";
import { api } from "./helpers/api";

describe("contacts: happy path", () => {
  it("creates a contact with a contact_inbox and Chatwoot's envelope", async () => {
    const w = await createWorld();
    const identifier = unique("user");
    const res = await as(w.agent).post(`${w.base}/contacts`, {
      name: "Alice",
      email: "Alice@Example.com",
      phone_number: "+14155550100",
      identifier,
      custom_attributes: { plan: "pro" },
      inbox_id: w.inbox.id,
    });
    expect(res.status).toBe(200);
    const { contact, contact_inbox } = res.body.payload;
    expect(contact).toMatchObject({
      name: "Alice",
      email: "alice@example.com",
      phone_number: "+14155550100",
      identifier,
      blocked: false,
      custom_attributes: { plan: "pro" },
      additional_attributes: {},
      created_at: expect.any(Number),
    });
    expect(contact.contact_inboxes).toEqual([
      { source_id: contact_inbox.source_id, inbox: expect.objectContaining({ id: w.inbox.id }) },
    ]);
    expect(contact_inbox.source_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(contact_inbox.inbox).toMatchObject({ id: w.inbox.id, inbox_identifier: w.inbox.identifier });
    expect(JSON.stringify(res.body)).not.toContain(w.inbox.hmacToken);
  });

  it("returns the same contact for a returning identifier, never a duplicate", async () => {
    const w = await createWorld();
    const identifier = unique("user");
    const first = await as(w.admin).post(`${w.base}/contacts`, { name: "Bob", identifier, inbox_id: w.inbox.id });
    const again = await as(w.agent).post(`${w.base}/contacts`, {
      contact: { name: "Bob again", identifier, inbox_id: String(w.inbox.id) },
    });
    expect(again.status).toBe(200);
    expect(again.body.payload.contact.id).toBe(first.body.payload.contact.id);
    expect(again.body.payload.contact.name).toBe("Bob");
    expect(again.body.payload.contact_inbox.source_id).toBe(first.body.payload.contact_inbox.source_id);
    const { results } = await env.DB.prepare("select count(*) n from contacts where account_id = ? and identifier = ?")
      .bind(w.account.id, identifier)
      .all();
    expect(results[0].n).toBe(1);
  });

  it("concurrent creates of one identifier land on one contact", async () => {
    const w = await createWorld();
    const identifier = unique("racer");
    const results = await Promise.all(
      Array.from({ length: 5 }, () => as(w.admin).post(`${w.base}/contacts`, { name: "Racer", identifier })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.payload.contact.id)).size).toBe(1);
  });

  it("lists identified contacts 15 a page, sorts, shows, merges attributes on update, searches, deletes", async () => {
    const w = await createWorld();
    for (let i = 0; i < 17; i++)
      await createContact(w, { name: `Person ${String(i).padStart(2, "0")}`, email: `p${i}@ex.test` });
    await as(w.admin).post(`${w.base}/contacts`, { name: "Anonymous" });
    const page1 = await as(w.agent).get(`${w.base}/contacts`, { sort: "name", page: "1" });
    expect(page1.status).toBe(200);
    expect(page1.body.meta).toEqual({ count: 17, current_page: 1 });
    expect(page1.body.payload).toHaveLength(15);
    expect(page1.body.payload[0].name).toBe("Person 00");
    const page2 = await as(w.agent).get(`${w.base}/contacts`, { sort: "-name", page: "2" });
    expect(page2.body.payload.map((c: any) => c.name)).toEqual(["Person 01", "Person 00"]);

    const target = page1.body.payload[3];
    const updated = await as(w.agent).put(`${w.base}/contacts/${target.id}`, { custom_attributes: { tier: "gold" } });
    expect(updated.status).toBe(200);
    await as(w.agent).patch(`${w.base}/contacts/${target.id}`, {
      contact: { custom_attributes: { seats: 3 }, name: "Renamed" },
    });
    const shown = await as(w.agent).get(`${w.base}/contacts/${target.id}`);
    expect(shown.body.payload).toMatchObject({ name: "Renamed", custom_attributes: { tier: "gold", seats: 3 } });

    const found = await as(w.agent).get(`${w.base}/contacts/search`, { q: "renam" });
    expect(found.body.meta).toMatchObject({ count: 1, current_page: 1, has_more: false });
    expect(found.body.payload[0].id).toBe(target.id);
    const byEmail = await as(w.agent).get(`${w.base}/contacts/search`, { q: "P16@EX" });
    expect(byEmail.body.payload.map((c: any) => c.email)).toEqual(["p16@ex.test"]);
    const literal = await as(w.agent).get(`${w.base}/contacts/search`, { q: "%" });
    expect(literal.body.payload).toEqual([]);

    // Deleting takes the contact's conversations in every inbox with it: administrators only.
    expectError(await as(w.agent).delete(`${w.base}/contacts/${target.id}`), 403);
    expect((await as(w.agent).get(`${w.base}/contacts/${target.id}`)).status).toBe(200);
    const del = await as(w.admin).delete(`${w.base}/contacts/${target.id}`);
    expect(del.status).toBe(200);
    expectError(await as(w.agent).get(`${w.base}/contacts/${target.id}`), 404, "Contact not found");
  });

  it("lists and creates contact_inboxes", async () => {
    const w = await createWorld();
    const { contact, sourceId } = await createContact(w);
    const created = await as(w.admin).post(`${w.base}/contacts/${contact.id}/contact_inboxes`, {
      inbox_id: w.otherInbox.id,
      source_id: "crm-42",
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ source_id: "crm-42", inbox: { id: w.otherInbox.id } });
    const list = await as(w.admin).get(`${w.base}/contacts/${contact.id}/contact_inboxes`);
    expect(list.body.payload.map((ci: any) => ci.source_id)).toEqual([sourceId, "crm-42"]);
  });

  it("accepts multipart bodies with string booleans and JSON-string objects", async () => {
    const w = await createWorld();
    const form = new FormData();
    form.set("name", "Form Person");
    form.set("identifier", unique("form"));
    form.set("blocked", "true");
    form.set("custom_attributes", JSON.stringify({ source: "form" }));
    const res = await api("POST", `${w.base}/contacts`, form, { token: w.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.payload.contact).toMatchObject({ blocked: true, custom_attributes: { source: "form" } });
  });
});

describe("contacts: errors", () => {
  it("rejects bad fields with field-level details and stores nothing", async () => {
    const w = await createWorld();
    const res = await as(w.admin).post(`${w.base}/contacts`, { name: 5, email: "nope", phone_number: "555" });
    expectError(res, 422);
    expect(res.body.details.map((d: any) => d.field).sort()).toEqual(["email", "name", "phone_number"]);
    const { results } = await env.DB.prepare("select count(*) n from contacts where account_id = ?")
      .bind(w.account.id)
      .all();
    expect(results[0].n).toBe(0);
  });

  it("answers malformed JSON with 400 and unknown ids with 404", async () => {
    const w = await createWorld();
    expectError(
      await api("POST", `${w.base}/contacts`, undefined, {
        token: w.admin.token,
        raw: "{nope",
        headers: { "content-type": "application/json" },
      }),
      400,
      /^Malformed JSON in request body at position \d+ \(line \d+ column \d+\)$/,
    );
    expectError(await as(w.admin).get(`${w.base}/contacts/999999`), 404);
    expectError(await as(w.admin).get(`${w.base}/contacts/abc`), 422);
    expectError(await as(w.admin).post(`${w.base}/contacts`, { name: "X", inbox_id: 999999 }), 404, "Inbox not found");
  });

  it("refuses a second contact with a taken e-mail, case-insensitively", async () => {
    const w = await createWorld();
    await createContact(w, { email: "dup@example.com" });
    const res = await as(w.admin).post(`${w.base}/contacts`, { name: "Dup", email: "DUP@example.com" });
    expectError(res, 422, "Email has already been taken");
    const { contact } = await createContact(w, { email: "other@example.com" });
    expectError(await as(w.admin).put(`${w.base}/contacts/${contact.id}`, { email: "dup@example.com" }), 422);
  });

  it("empty filter values mean no filter", async () => {
    const w = await createWorld();
    const res = await as(w.admin).get(`${w.base}/contacts?page=&sort=&include_contact_inboxes=`);
    expect(res.status).toBe(200);
  });
});

describe("contacts: security", () => {
  it("requires a valid token", async () => {
    const w = await createWorld();
    expectError(await api("GET", `${w.base}/contacts`), 401, "Invalid Access Token");
    expectError(await api("GET", `${w.base}/contacts`, undefined, { token: "wrong" }), 401, "Invalid Access Token");
  });

  it("treats another account's contacts exactly like missing ones", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    const { contact } = await createContact(b);
    const missing = await as(a.admin).get(`${a.base}/contacts/999999`);
    const foreign = await as(a.admin).get(`${a.base}/contacts/${contact.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expectError(await as(a.admin).put(`${a.base}/contacts/${contact.id}`, { name: "Hacked" }), 404);
    expectError(await as(a.admin).delete(`${a.base}/contacts/${contact.id}`), 404);
    expectError(await as(a.admin).get(`${b.base}/contacts`), 404, "Account not found");
    const still = await as(b.admin).get(`${b.base}/contacts/${contact.id}`);
    expect(still.body.payload.name).toBe("Alice");
  });
});

describe("contacts: Rails-style form keys", () => {
  it("reads contact[name] fields as the wrapped resource", async () => {
    const w = await createWorld();
    const form = new FormData();
    form.set("contact[name]", "Nested Person");
    form.set("contact[identifier]", unique("nested"));
    form.set("contact[custom_attributes]", JSON.stringify({ from: "dashboard" }));
    const res = await api("POST", `${w.base}/contacts`, form, { token: w.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.payload.contact).toMatchObject({ name: "Nested Person", custom_attributes: { from: "dashboard" } });
  });
});

describe("contacts: source_id on create", () => {
  it("reuses a source_id for its own contact and refuses it for another", async () => {
    const w = await createWorld();
    const identifier = unique("src");
    const first = await as(w.admin).post(`${w.base}/contacts`, {
      name: "S",
      identifier,
      inbox_id: w.inbox.id,
      source_id: "app-user-7",
    });
    expect(first.body.payload.contact_inbox.source_id).toBe("app-user-7");
    const again = await as(w.admin).post(`${w.base}/contacts`, {
      identifier,
      inbox_id: w.inbox.id,
      source_id: "app-user-7",
    });
    expect(again.body.payload.contact.id).toBe(first.body.payload.contact.id);
    expect(again.body.payload.contact.contact_inboxes).toHaveLength(1);
    const other = await as(w.admin).post(`${w.base}/contacts`, {
      name: "T",
      identifier: unique("src"),
      inbox_id: w.inbox.id,
      source_id: "app-user-7",
    });
    expectError(other, 422, "source_id should be unique");
    const { results } = await env.DB.prepare(
      "select c.identifier from contact_inboxes ci join contacts " +
        "c on c.id = ci.contact_id where ci.source_id = 'app-user-7'",
    ).all();
    expect(results).toEqual([{ identifier }]);
  });
});

describe("contacts: an agent sees only the sessions of their own inboxes", () => {
  // A contact_inbox's source_id, with its inbox's identifier, opens that inbox's conversations on the client API.
  it("shows an agent only the contact_inboxes of inboxes they are a member of, an administrator all", async () => {
    const w = await createWorld();
    const identifier = unique("user");
    const inBack = await as(w.admin).post(`${w.base}/contacts`, { name: "Bo", identifier, inbox_id: w.otherInbox.id });
    expect(inBack.status).toBe(200);
    const contactId = inBack.body.payload.contact.id;
    const secretSource = inBack.body.payload.contact_inbox.source_id as string;
    expect(
      (await as(w.admin).post(`${w.base}/contacts/${contactId}/contact_inboxes`, { inbox_id: w.inbox.id })).status,
    ).toBe(200);

    const inboxesOf = (body: any) => body.contact_inboxes.map((ci: any) => ci.inbox.id).sort();
    expect(inboxesOf((await as(w.admin).get(`${w.base}/contacts/${contactId}`)).body.payload)).toEqual(
      [w.inbox.id, w.otherInbox.id].sort(),
    );
    for (const [actor, visible] of [
      [w.agent, [w.inbox.id]],
      [w.outsider, []],
    ] as const) {
      const reads = [
        await as(actor).get(`${w.base}/contacts/${contactId}`),
        await as(actor).get(`${w.base}/contacts`),
        await as(actor).get(`${w.base}/contacts/search`, { q: identifier }),
        await as(actor).get(`${w.base}/contacts/${contactId}/contact_inboxes`),
        await as(actor).patch(`${w.base}/contacts/${contactId}`, { name: "Bo B." }),
      ];
      for (const res of reads) {
        expect(res.status).toBe(200);
        expect(res.text).not.toContain(secretSource);
        expect(res.text).not.toContain(w.otherInbox.identifier);
      }
      expect(inboxesOf(reads[0].body.payload)).toEqual(visible);
      expect(reads[3].body.payload.map((ci: any) => ci.inbox.id)).toEqual(visible);
    }
  });

  it("treats an inbox the agent is not a member of like a missing one when creating a contact_inbox", async () => {
    const w = await createWorld();
    const identifier = unique("user");
    const made = await as(w.admin).post(`${w.base}/contacts`, { name: "Cy", identifier, inbox_id: w.otherInbox.id });
    expect(made.status).toBe(200);
    const secretSource = made.body.payload.contact_inbox.source_id as string;
    const again = await as(w.agent).post(`${w.base}/contacts`, { identifier, inbox_id: w.otherInbox.id });
    expectError(again, 404, "Inbox not found");
    expect(again.text).not.toContain(secretSource);
    expectError(
      await as(w.agent).post(`${w.base}/contacts/${made.body.payload.contact.id}/contact_inboxes`, {
        inbox_id: w.otherInbox.id,
      }),
      404,
      "Inbox not found",
    );
    // In their own inbox the agent gets the contact, without the other inbox's session.
    const own = await as(w.agent).post(`${w.base}/contacts`, { identifier, inbox_id: w.inbox.id });
    expect(own.status).toBe(200);
    expect(own.body.payload.contact.id).toBe(made.body.payload.contact.id);
    expect(own.text).not.toContain(secretSource);
    expect(own.body.payload.contact.contact_inboxes.map((ci: any) => ci.inbox.id)).toEqual([w.inbox.id]);
  });
});

describe("contacts: search of any length", () => {
  it("finds a contact by a long substring, case-insensitively, with LIKE's wildcards as plain text", async () => {
    const w = await createWorld();
    const name = `Dr. ${"Alexandria ".repeat(20)}100%_Wildcard`;
    const { contact } = await createContact(w, { name, email: "long.name@example.test" });
    await createContact(w, { name: "Someone Else", email: "else@example.test" });
    // Over 50 bytes: D1 refuses a LIKE pattern that long, which answered 500.
    for (const q of [name.toUpperCase(), name.slice(4, 250), "100%_wild", "x".repeat(255)]) {
      const res = await as(w.agent).get(`${w.base}/contacts/search`, { q });
      expect(res.status, res.text).toBe(200);
      expect(res.body.payload.map((c: { id: number }) => c.id)).toEqual(q === "x".repeat(255) ? [] : [contact.id]);
    }
    expect((await as(w.agent).get(`${w.base}/contacts/search`, { q: "100%" })).body.payload).toHaveLength(1);
    expect((await as(w.agent).get(`${w.base}/contacts/search`, { q: "_" })).body.payload).toHaveLength(1);
  });
});

describe("contacts: the trigram index (contact_grams)", () => {
  const ids = (res: { body: { payload: { id: number }[] } }) => res.body.payload.map((c) => c.id).sort();
  const grams = async (contactId: number) =>
    (
      await env.DB.prepare("select gram from contact_grams where contact_id = ? order by gram")
        .bind(contactId)
        .all<{ gram: string }>()
    ).results.map((r) => r.gram);

  it("follows every write: finds substrings of each field, and forgets what a contact no longer holds", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w, {
      name: "Maya Refundsson",
      email: "maya.r@shop.example",
      phone_number: "+14155550123",
      identifier: "crm-7781",
    });
    const other = (await createContact(w, { name: "Refugio Mendes", email: "rm@example.test" })).contact;
    const search = (q: string) => as(w.agent).get(`${w.base}/contacts/search`, { q });
    expect(await grams(contact.id)).toContain("efu");
    for (const q of ["FUNDS", "ya re", "shop.ex", "5550", "rm-77"])
      expect(ids(await search(q)), q).toEqual([contact.id]);
    // Both hold every trigram of "refu" only as substrings: each is found.
    expect(ids(await search("refu"))).toEqual([contact.id, other.id].sort());
    // The trigrams of one field with those of another are not a match: the substring is checked.
    expect(ids(await search("mayashop"))).toEqual([]);
    // Two characters: no trigram; still found.
    expect(ids(await search("ya"))).toEqual([contact.id]);

    await as(w.agent).put(`${w.base}/contacts/${contact.id}`, { name: "Maya Lindqvist" });
    expect(ids(await search("funds"))).toEqual([]);
    expect(ids(await search("lindq"))).toEqual([contact.id]);
    expect(await grams(contact.id)).not.toContain("efu");

    // A conversation's search finds it by its contact's new name too.
    const conv = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id });
    const listed = await as(w.admin).get(`${w.base}/conversations`, { status: "all", q: "indqv" });
    expect(listed.body.data.payload.map((c: { id: number }) => c.id)).toEqual([conv.body.id]);

    await as(w.admin).delete(`${w.base}/contacts/${contact.id}`);
    expect(await grams(contact.id)).toEqual([]);
    expect(ids(await search("lindq"))).toEqual([]);
  });

  it("never finds another account's contacts", async () => {
    const w = await createWorld();
    const other = await createWorld("Other");
    await createContact(other, { name: "Zebulon Quartermaine" });
    const res = await as(w.agent).get(`${w.base}/contacts/search`, { q: "quarterm" });
    expect(res.body.payload).toEqual([]);
  });
});
