import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "./helpers/api";
import { createConversation, createWorld, expectError, unique } from "./helpers/factories";

/**
 * What a body's Content-Type means. A JSON text sent as a form (curl's `-d` default) or with no
 * type is read as JSON, never as an empty form: that created an empty anonymous contact, and
 * called sent content blank. Any other type is a 415.
 */
describe("request body content types", () => {
  const contactCount = (accountId: number) =>
    env.DB.prepare("select count(*) as n from contacts where account_id = ?").bind(accountId).first<{ n: number }>();

  it("reads a JSON text sent as application/x-www-form-urlencoded, or with no Content-Type, as JSON", async () => {
    const w = await createWorld();
    const identifier = unique("curl");
    const asForm = await api("POST", `${w.base}/contacts`, undefined, {
      token: w.admin.token,
      raw: JSON.stringify({ name: "Curl User", identifier }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(asForm.status, asForm.text).toBe(200);
    expect(asForm.body.payload.contact).toMatchObject({ name: "Curl User", identifier });

    const { path } = await createConversation(w);
    const noType = await api("POST", `${path}/messages`, undefined, {
      token: w.admin.token,
      raw: new TextEncoder().encode(' \n{"content": "sent without a type"}'),
    });
    expect(noType.status, noType.text).toBe(200);
    expect(noType.body.content).toBe("sent without a type");
    const formMessage = await api("POST", `${path}/messages`, undefined, {
      token: w.admin.token,
      raw: '{"content": "curl -d"}',
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(formMessage.body.content).toBe("curl -d");
    // A real form still reads as a form, and an empty one as nothing.
    const form = await api("POST", `${path}/messages`, undefined, {
      token: w.admin.token,
      raw: "content=hello+form&private=true",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.body).toMatchObject({ content: "hello form", private: true });
    // Malformed JSON in a form body is a 400 naming where it broke, and writes nothing.
    const before = await contactCount(w.account.id);
    const broken = await api("POST", `${w.base}/contacts`, undefined, {
      token: w.admin.token,
      raw: '{"name": "x",}',
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectError(broken, 400, /^Malformed JSON in request body at position 13 \(line 1 column 14\)$/);
    expect(await contactCount(w.account.id)).toEqual(before);
  });

  it("refuses text/plain and other types with 415, writing nothing", async () => {
    const w = await createWorld();
    const before = await contactCount(w.account.id);
    for (const type of ["text/plain", "text/plain; charset=utf-8", "application/xml", "text/csv"]) {
      const res = await api("POST", `${w.base}/contacts`, undefined, {
        token: w.admin.token,
        raw: '{"name": "Plain"}',
        headers: { "content-type": type },
      });
      expectError(res, 415);
      expect(res.body.error).toContain(
        "send application/json, multipart/form-data or application/x-www-form-urlencoded",
      );
    }
    expect(await contactCount(w.account.id)).toEqual(before);
  });
});
