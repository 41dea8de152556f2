import { describe, expect, it } from "vitest";
import type { ApiResponse } from "./helpers/api";
import { as, createConversation, createWorld, expectError } from "./helpers/factories";

/** A refused value says what the field takes and what came, in `error` and in `details`. */
describe("validation messages name the expected type", () => {
  it("for ids, integers and booleans (which also accept their string forms)", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const admin = as(w.admin);
    const cases: [Promise<ApiResponse>, string, string][] = [
      [
        admin.post(`${w.base}/conversations`, { inbox_id: "abc", contact_id: 1 }),
        "inbox_id",
        "expected positive integer id, got string",
      ],
      [
        admin.post(`${w.base}/conversations`, { inbox_id: 1.5, contact_id: 1 }),
        "inbox_id",
        "expected positive integer id, got a fraction",
      ],
      [
        admin.post(`${w.base}/conversations`, { inbox_id: [1], contact_id: 1 }),
        "inbox_id",
        "expected positive integer id, got array",
      ],
      [admin.post(`${path}/messages`, { content: "x", private: "maybe" }), "private", "expected boolean, got string"],
      [
        admin.post(`${path}/toggle_status`, { status: "snoozed", snoozed_until: "soon" }),
        "snoozed_until",
        "expected integer, got string",
      ],
      [
        admin.post(`${w.base}/contacts`, { name: "x", inbox_id: "" }),
        "inbox_id",
        "expected positive integer id, got an empty string",
      ],
    ];
    cases.push(
      [
        admin.post(`${w.base}/contacts`, { name: "x", custom_attributes: 5 }),
        "custom_attributes",
        "expected JSON object, got number",
      ],
      [
        admin.post(`${w.base}/contacts`, { name: "x", custom_attributes: [1] }),
        "custom_attributes",
        "expected JSON object, got array",
      ],
      [
        admin.post(`${w.base}/contacts`, { name: "x", additional_attributes: "{not json" }),
        "additional_attributes",
        "expected JSON object, got string",
      ],
      [admin.post(`${path}/labels`, { labels: 5 }), "labels", "expected array, got number"],
    );
    for (const [request, field, message] of cases) {
      const res = await request;
      expectError(res, 422);
      expect(res.body.details).toContainEqual({ field, message });
      expect(res.body.error).toContain(`${field}: ${message}`);
    }
  });
});
