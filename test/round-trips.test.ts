import { describe, expect, it } from "vitest";
import { as, createContact, createConversation, createWorld } from "./helpers/factories";
import { api, type ApiResponse } from "./helpers/api";
import { consoleSession } from "./helpers/sessions";

/** D1 round trips from `Server-Timing: d1;desc="<N> round trips";dur=<ms>`. */
function roundTrips(res: ApiResponse): number {
  const header = res.headers.get("server-timing") ?? "";
  const match = header.match(/d1;desc="(\d+) round trips";dur=[\d.]+/);
  if (!match) throw new Error(`no d1 Server-Timing in ${JSON.stringify(header)} (status ${res.status})`);
  return Number(match[1]);
}

describe("D1 round trips per request (auth included)", () => {
  it("keeps the hot paths to a fixed number of round trips", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const { path } = await createConversation(w);
    const admin = as(w.admin);
    const agent = as(w.agent);

    const counts = {
      messageCreate: roundTrips(await agent.post(`${path}/messages`, { content: "hi" })),
      messageCreateIncoming: roundTrips(
        await admin.post(`${path}/messages`, { content: "hello", message_type: "incoming" }),
      ),
      messageList: roundTrips(await agent.get(`${path}/messages`)),
      conversationShow: roundTrips(await agent.get(path)),
      conversationList: roundTrips(await agent.get(`${w.base}/conversations`, { status: "all", assignee_type: "me" })),
      conversationSearch: roundTrips(await agent.get(`${w.base}/conversations`, { status: "all", q: "hello hi" })),
      conversationCreate: roundTrips(
        await agent.post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id }),
      ),
      conversationCreateWithMessage: roundTrips(
        await agent.post(`${w.base}/conversations`, {
          inbox_id: w.inbox.id,
          contact_id: contact.id,
          message: { content: "x" },
        }),
      ),
      toggleStatus: roundTrips(await agent.post(`${path}/toggle_status`, { status: "resolved" })),
      contactList: roundTrips(await agent.get(`${w.base}/contacts`)),
      contactShow: roundTrips(await agent.get(`${w.base}/contacts/${contact.id}`)),
      contactUpdate: roundTrips(await agent.put(`${w.base}/contacts/${contact.id}`, { name: "Renamed" })),
      badToken: roundTrips(await as({ token: "nope" }).get(`${w.base}/contacts`)),
      contactCreate: roundTrips(
        await agent.post(`${w.base}/contacts`, { name: "N", identifier: "rt-new", inbox_id: w.inbox.id }),
      ),
      contactCreateReturning: roundTrips(
        await agent.post(`${w.base}/contacts`, { identifier: "rt-new", inbox_id: w.inbox.id }),
      ),
    };
    expect(counts).toEqual({
      messageCreate: 2,
      messageCreateIncoming: 2,
      messageList: 2,
      conversationShow: 1,
      conversationList: 2,
      conversationSearch: 2,
      conversationCreate: 2,
      conversationCreateWithMessage: 2,
      toggleStatus: 2,
      contactList: 2,
      contactShow: 2,
      contactUpdate: 3,
      badToken: 1,
      contactCreate: 2,
      contactCreateReturning: 2,
    });
  });
});

describe("routing costs no extra round trip", () => {
  it("creates and routes a conversation in 2 round trips, auth included", async () => {
    const w = await createWorld("Routed", { autoAssign: true });
    const { contact } = await createContact(w);
    const res = await as(w.admin).post(`${w.base}/conversations`, { inbox_id: w.inbox.id, contact_id: contact.id });
    expect(res.body.meta.assignee).toMatchObject({ type: "user" });
    expect(roundTrips(res)).toBe(2);
  });
});

describe("sessions: round trips", () => {
  it("signs in in two, and the cookie costs what a token does", async () => {
    const w = await createWorld();
    const { path } = await createConversation(w);
    const { res: signIn, headers } = await consoleSession(w.agent.email, "10.5.0.1");
    const onCookie = { headers };
    const counts = {
      signIn: roundTrips(signIn),
      signInWrong: roundTrips(
        await api(
          "POST",
          "/auth/sign_in",
          { email: w.agent.email, password: "wrong" },
          { headers: { "cf-connecting-ip": "10.5.0.2" } },
        ),
      ),
      validateToken: roundTrips(await api("GET", "/auth/validate_token", undefined, onCookie)),
      conversationShowOnCookie: roundTrips(await api("GET", path, undefined, onCookie)),
      conversationShowOnToken: roundTrips(await as(w.agent).get(path)),
      messageCreateOnCookie: roundTrips(await api("POST", `${path}/messages`, { content: "hi" }, onCookie)),
      updateLastSeen: roundTrips(await as(w.agent).post(`${path}/update_last_seen`)),
    };
    expect(counts).toEqual({
      signIn: 2,
      signInWrong: 2,
      validateToken: 2,
      conversationShowOnCookie: 1,
      conversationShowOnToken: 1,
      messageCreateOnCookie: 2,
      updateLastSeen: 2,
    });
  });
});
