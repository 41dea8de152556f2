import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { inboxes } from "../src/db/schema";
import { hmacSha256Hex } from "../src/lib/crypto";
import { api } from "./helpers/api";
import { as, createWorld, expectError, testDb, unique } from "./helpers/factories";

const count = async (accountId: number, identifier: string) =>
  (await env.DB.prepare("select count(*) n from contacts where account_id = ? and identifier = ?")
    .bind(accountId, identifier)
    .first<{ n: number }>())!.n;

describe("POST /api/v1/profile: create or find a contact", () => {
  it("creates the contact with its contact_inbox, and finds the same one when the user returns", async () => {
    const w = await createWorld();
    const identifier = unique("app-user");
    const first = await as(w.agent).post("/api/v1/profile", {
      inbox_identifier: w.inbox.identifier,
      identifier,
      name: "Maya",
      email: "maya@example.test",
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      identifier,
      name: "Maya",
      email: "maya@example.test",
      source_id: expect.any(String),
      pubsub_token: expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{24}$/),
      hmac_verified: false,
      inbox_identifier: w.inbox.identifier,
    });
    const again = await as(w.admin).post("/api/v1/profile", {
      profile: { inbox_identifier: w.inbox.identifier, identifier },
    });
    expect(again.body).toMatchObject({
      id: first.body.id,
      source_id: first.body.source_id,
      pubsub_token: first.body.pubsub_token,
      name: "Maya",
    });
    expect(await count(w.account.id, identifier)).toBe(1);
    // The agent's own profile is untouched by the contact route.
    expect((await as(w.agent).get("/api/v1/profile")).body.email).toBe(w.agent.email);
  });

  it("verifies identifier_hash, refuses a wrong one, and requires it with hmac_mandatory", async () => {
    const w = await createWorld();
    const identifier = unique("verified");
    const hash = await hmacSha256Hex(w.inbox.hmacToken, identifier);
    const verified = await as(w.agent).post("/api/v1/profile", {
      inbox_identifier: w.inbox.identifier,
      identifier,
      identifier_hash: hash,
    });
    expect(verified.body.hmac_verified).toBe(true);

    const wrong = await as(w.agent).post("/api/v1/profile", {
      inbox_identifier: w.inbox.identifier,
      identifier: unique("x"),
      identifier_hash: "0".repeat(64),
    });
    expectError(wrong, 401, /Invalid identifier_hash/);
    await testDb().update(inboxes).set({ hmacMandatory: true }).where(eq(inboxes.id, w.inbox.id));
    const missing = unique("missing");
    expectError(
      await as(w.agent).post("/api/v1/profile", { inbox_identifier: w.inbox.identifier, identifier: missing }),
      401,
      /required/,
    );
    expect(await count(w.account.id, missing)).toBe(0);
  });

  it("answers a clear 4xx for bad input and unknown or foreign inboxes", async () => {
    const a = await createWorld("A");
    const b = await createWorld("B");
    expectError(await as(a.agent).post("/api/v1/profile", { identifier: "x" }), 422);
    expectError(
      await as(a.agent).post("/api/v1/profile", {
        inbox_identifier: a.inbox.identifier,
        identifier: "x",
        identifier_hash: "nothex",
      }),
      422,
    );
    expectError(
      await as(a.agent).post("/api/v1/profile", { inbox_identifier: "nope", identifier: "x" }),
      404,
      "Inbox not found",
    );
    expectError(
      await as(a.admin).post("/api/v1/profile", { inbox_identifier: b.inbox.identifier, identifier: "x" }),
      404,
      "Inbox not found",
    );
    expectError(
      await as(a.agent).post("/api/v1/profile", { inbox_identifier: a.otherInbox.identifier, identifier: "x" }),
      404,
      "Inbox not found",
    );
    expectError(await api("POST", "/api/v1/profile", { inbox_identifier: a.inbox.identifier, identifier: "x" }), 401);
    expect(await count(b.account.id, "x")).toBe(0);
  });
});
