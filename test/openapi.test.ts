import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { api } from "./helpers/api";

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 and documents every route the app serves", async () => {
    const res = await api("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries<Record<string, unknown>>(res.body.paths)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = buildApp()
      .routes.filter((r) => r.method !== "ALL" && /^\/(api|platform|public|attachments|cable|auth)/.test(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThan(40);
    const undocumented = [...new Set(served)].filter((r) => !documented.has(r));
    expect(undocumented).toEqual([]);
  });

  it("has only OpenAPI's own keys in each operation (no stray middleware)", async () => {
    const { body } = await api("GET", "/openapi.json");
    const allowed = new Set([
      "tags",
      "summary",
      "description",
      "operationId",
      "parameters",
      "requestBody",
      "responses",
      "security",
      "deprecated",
      "callbacks",
      "servers",
      "externalDocs",
    ]);
    const stray = Object.entries<Record<string, Record<string, unknown>>>(body.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.keys(op)
          .filter((k) => !allowed.has(k) && !k.startsWith("x-"))
          .map((k) => `${method} ${path}: ${k}`),
      ),
    );
    expect(stray).toEqual([]);
  });

  it("describes every operation beyond its summary", async () => {
    const { body } = await api("GET", "/openapi.json");
    const bare = Object.entries<Record<string, { summary?: string; description?: string }>>(body.paths).flatMap(
      ([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => !op.summary || !op.description || op.description.length < 40)
          .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(bare).toEqual([]);
  });

  it("documents request bodies, including multipart for messages", async () => {
    const { body } = await api("GET", "/openapi.json");
    const create = body.paths["/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages"].post;
    expect(Object.keys(create.requestBody.content)).toEqual(["application/json", "multipart/form-data"]);
    expect(body.components.schemas).toHaveProperty("Conversation");
    expect(body.components.schemas).toHaveProperty("Message");
    expect(body.components.schemas).toHaveProperty("Error");
  });

  it("serves Swagger UI whose assets come from this Worker", async () => {
    const page = await api("GET", "/swagger");
    expect(page.status).toBe(200);
    expect(page.text).toContain('src="/swagger-ui/swagger-ui-bundle.js"');
    expect(page.text).not.toMatch(/https?:\/\//);
  });
});

describe("OpenAPI document: help for a first call", () => {
  it(
    "says where an api_access_token comes from, and starts " + "message create's Try it out from a body that works",
    async () => {
      const { body: doc } = await api("GET", "/openapi.json");
      expect(doc.components.securitySchemes.api_access_token.description).toMatch(
        /npm run dev.*GET \/api\/v1\/profile.*reset_access_token.*Platform API.*sign_in/s,
      );
      const example = doc.components.schemas.MessageCreate.example;
      expect(example).toEqual({ content: expect.any(String), message_type: "outgoing", private: false });
      const { createConversation, createWorld, as } = await import("./helpers/factories");
      const w = await createWorld();
      const { path } = await createConversation(w);
      const sent = await as(w.admin).post(`${path}/messages`, example);
      expect(sent.status, sent.text).toBe(200);
      expect(sent.body.content).toBe(example.content);
    },
  );
});
