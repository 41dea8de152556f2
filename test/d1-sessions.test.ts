import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { hmacSha256Hex } from "../src/lib/crypto";
import { api, type ApiResponse } from "./helpers/api";
import { as, createContact, createWorld, unique } from "./helpers/factories";
import { client, ok } from "./helpers/public-client";

/** The shape of D1's bookmarks (hex groups joined by dashes), as local D1 returns them too. */
const BOOKMARK = /^[0-9a-f]+(-[0-9a-f]+)+$/i;

const bookmarkOf = (res: ApiResponse) => res.headers.get("x-d1-bookmark");

/** Records where each request's D1 session starts (the argument of `withSession`). */
function watchSessions() {
  return vi.spyOn(env.DB, "withSession");
}

const roundTrips = (res: ApiResponse) =>
  Number(res.headers.get("server-timing")?.match(/d1;desc="(\d+) round trips"/)?.[1]);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("D1 sessions (read replication)", () => {
  it("starts reads anywhere and writes on the primary, and answers both with a bookmark", async () => {
    const w = await createWorld();
    const sessions = watchSessions();

    const read = await as(w.agent).get(`${w.base}/contacts`);
    expect(read.status).toBe(200);
    expect(bookmarkOf(read)).toMatch(BOOKMARK);
    expect(sessions).toHaveBeenLastCalledWith("first-unconstrained");

    const write = await as(w.agent).post(`${w.base}/contacts`, { name: "Written", inbox_id: w.inbox.id });
    expect(write.status).toBe(200);
    expect(bookmarkOf(write)).toMatch(BOOKMARK);
    expect(sessions).toHaveBeenLastCalledWith("first-primary");

    // The health check reads D1 too, without authentication.
    const health = await api("HEAD", "/api");
    expect(bookmarkOf(health)).toMatch(BOOKMARK);
    expect(sessions).toHaveBeenLastCalledWith("first-unconstrained");
  });

  it("reads from the bookmark of the caller's last write, and sees that write", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const agent = as(w.agent);
    const written = await agent.put(`${w.base}/contacts/${contact.id}`, { name: "Renamed after write" });
    expect(written.status).toBe(200);
    const bookmark = bookmarkOf(written)!;
    expect(bookmark).toMatch(BOOKMARK);

    const sessions = watchSessions();
    const read = await api("GET", `${w.base}/contacts/${contact.id}`, undefined, {
      token: w.agent.token,
      headers: { "x-d1-bookmark": bookmark },
    });
    expect(sessions).toHaveBeenCalledWith(bookmark);
    expect(read.status).toBe(200);
    expect(read.body.payload.name).toBe("Renamed after write");
    // The session only moves forward from the bookmark it was given.
    expect(bookmarkOf(read)!.localeCompare(bookmark)).toBeGreaterThanOrEqual(0);
    // A bookmark costs no round trip.
    expect(roundTrips(read)).toBeGreaterThan(0);
    expect(roundTrips(read)).toBe(roundTrips(await agent.get(`${w.base}/contacts/${contact.id}`)));
  });

  it("starts a write on the primary even when the caller sends a bookmark", async () => {
    const w = await createWorld();
    const read = await as(w.agent).get(`${w.base}/contacts`);
    const sessions = watchSessions();
    const res = await api(
      "POST",
      `${w.base}/contacts`,
      { name: "N", inbox_id: w.inbox.id },
      {
        token: w.agent.token,
        headers: { "x-d1-bookmark": bookmarkOf(read)! },
      },
    );
    expect(res.status).toBe(200);
    expect(sessions.mock.calls).toEqual([["first-primary"]]);
  });

  it("ignores a malformed or oversize bookmark instead of failing", async () => {
    const w = await createWorld();
    // Local D1 keeps the greatest bookmark it has seen: a bookmark handed to it comes back, one ignored does not.
    const refused = ["garbage", "f".repeat(201), "00000000-0000 0000", "'; drop table contacts; --", "-", "0000-"];
    for (const bad of refused) {
      const sessions = watchSessions();
      const res = await api("GET", `${w.base}/contacts`, undefined, {
        token: w.agent.token,
        headers: { "x-d1-bookmark": bad },
      });
      expect(res.status, bad).toBe(200);
      expect(sessions.mock.calls, bad).toEqual([["first-unconstrained"]]);
      expect(bookmarkOf(res), bad).toMatch(BOOKMARK);
      vi.restoreAllMocks();
    }
  });

  it("runs the client API's contact show with identifier_hash, which may write, on the primary", async () => {
    const w = await createWorld();
    const c = client(w.inbox.identifier);
    const created = ok(await c.post("/contacts", { name: "Anonymous" }));
    const identifier = unique("user");
    const sessions = watchSessions();
    const plain = await c.get(`/contacts/${created.source_id}`);
    expect(plain.status).toBe(200);
    expect(sessions).toHaveBeenLastCalledWith("first-unconstrained");
    const verified = ok(
      await c.get(`/contacts/${created.source_id}`, {
        identifier,
        identifier_hash: await hmacSha256Hex(w.inbox.hmacToken, identifier),
      }),
    );
    expect(verified.hmac_verified).toBe(true);
    expect(sessions).toHaveBeenLastCalledWith("first-primary");
  });

  it("lets browsers send and read x-d1-bookmark on the client API", async () => {
    const w = await createWorld();
    const path = `/public/api/v1/inboxes/${w.inbox.identifier}`;
    const origin = "https://chat.example.com";
    const preflight = await api("OPTIONS", `${path}/contacts`, undefined, {
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-d1-bookmark",
      },
    });
    expect(preflight.status).toBe(204);
    expect(
      preflight.headers
        .get("access-control-allow-headers")
        ?.toLowerCase()
        .split(/\s*,\s*/),
    ).toContain("x-d1-bookmark");
    const shown = await api("GET", path, undefined, { headers: { Origin: origin } });
    expect(shown.status).toBe(200);
    expect(bookmarkOf(shown)).toMatch(BOOKMARK);
    expect(
      shown.headers
        .get("access-control-expose-headers")
        ?.toLowerCase()
        .split(/\s*,\s*/),
    ).toContain("x-d1-bookmark");
  });
});
