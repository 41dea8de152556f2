import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { ownedRows } from "./helpers/access";
import type { ApiResponse } from "./helpers/api";
import { as, createContact, createWorld, expectError, type World } from "./helpers/factories";
import { createBot } from "./helpers/bots";

const notesOf = (w: World, contactId: number) => `${w.base}/contacts/${contactId}/notes`;

function roundTrips(res: ApiResponse): number {
  const match = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips"/);
  if (!match) throw new Error(`no d1 Server-Timing (status ${res.status})`);
  return Number(match[1]);
}

async function noteWorld() {
  const w = await createWorld();
  const { contact } = await createContact(w, { name: "Noted" });
  return { w, contact, path: notesOf(w, contact.id) };
}

describe("contact notes: happy path", () => {
  it("adds a note with its author as agent JSON, and lists the contact's notes newest first", async () => {
    const { w, contact, path } = await noteWorld();
    const first = await as(w.agent).post(path, { content: "  Prefers e-mail  " });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      id: expect.any(Number),
      content: "Prefers e-mail",
      account_id: w.account.id,
      contact_id: contact.id,
      user: expect.objectContaining({ id: w.agent.id, name: "Agent", email: w.agent.email, role: "agent" }),
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(first.body.created_at).toBeGreaterThan(1_600_000_000);
    expect(first.body.created_at).toBeLessThan(10_000_000_000);
    // Chatwoot's wrapped form too.
    const second = await as(w.outsider).post(path, { note: { content: "VIP since 2021" } });
    expect(second.status).toBe(200);
    expect(second.body.user.id).toBe(w.outsider.id);

    const list = await as(w.admin).get(path);
    expect(list.status).toBe(200);
    expect(list.body.map((n: any) => n.content)).toEqual(["VIP since 2021", "Prefers e-mail"]);
    expect(roundTrips(list)).toBe(2);
    const shown = await as(w.outsider).get(`${path}/${first.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(first.body);
    expect(roundTrips(first)).toBe(2);
  });

  it("lets the author edit and delete their note (PATCH and PUT alike)", async () => {
    const { w, path } = await noteWorld();
    const note = (await as(w.agent).post(path, { content: "Draft" })).body;
    const patched = await as(w.agent).patch(`${path}/${note.id}`, { content: "Final" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: note.id, content: "Final", user: { id: w.agent.id } });
    const put = await as(w.agent).put(`${path}/${note.id}`, { note: { content: "Final, really" } });
    expect(put.body.content).toBe("Final, really");
    expect(roundTrips(put)).toBe(2);
    const removed = await as(w.agent).delete(`${path}/${note.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ message: "Note deleted" });
    expectError(await as(w.agent).get(`${path}/${note.id}`), 404, "Note not found");
    expect((await as(w.agent).get(path)).body).toEqual([]);
  });

  it("lets an administrator edit and delete anyone's note, keeping its author", async () => {
    const { w, path } = await noteWorld();
    const note = (await as(w.agent).post(path, { content: "By the agent" })).body;
    const edited = await as(w.admin).patch(`${path}/${note.id}`, { content: "Tidied by the admin" });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ content: "Tidied by the admin", user: { id: w.agent.id } });
    expect((await as(w.admin).delete(`${path}/${note.id}`)).status).toBe(200);
  });

  it("shows user null once the author is no longer an agent of the account, and goes with its contact", async () => {
    const { w, contact, path } = await noteWorld();
    const note = (await as(w.agent).post(path, { content: "Kept after the agent left" })).body;
    expect((await as(w.admin).delete(`${w.base}/agents/${w.agent.id}`)).status).toBe(200);
    const shown = await as(w.admin).get(`${path}/${note.id}`);
    expect(shown.body).toMatchObject({ content: "Kept after the agent left", user: null });
    expect((await as(w.admin).delete(`${w.base}/contacts/${contact.id}`)).status).toBe(200);
    const left = await env.DB.prepare("select count(*) n from contact_notes where contact_id = ?")
      .bind(contact.id)
      .first<{ n: number }>();
    expect(left!.n).toBe(0);
  });
});

describe("contact notes: errors", () => {
  it("requires content, bounded, and writes nothing otherwise", async () => {
    const { w, path } = await noteWorld();
    const before = await ownedRows(w.account.id);
    for (const body of [{}, { content: "" }, { content: "   " }, { content: 5 }, { content: "x".repeat(10_001) }]) {
      const res = await as(w.agent).post(path, body);
      expectError(res, 422);
      expect(res.body.details.map((d: any) => d.field)).toEqual(["content"]);
    }
    expect(await ownedRows(w.account.id)).toEqual(before);
    const note = (await as(w.agent).post(path, { content: "x".repeat(10_000) })).body;
    expectError(await as(w.agent).patch(`${path}/${note.id}`, { content: "" }), 422);
  });

  it("answers unknown contacts and notes, and a note of another contact, with 404", async () => {
    const { w, path } = await noteWorld();
    const { contact: other } = await createContact(w, { name: "Other" });
    const note = (await as(w.agent).post(path, { content: "Mine" })).body;
    expectError(await as(w.agent).get(notesOf(w, 999_999_999)), 404, "Contact not found");
    expectError(await as(w.agent).post(notesOf(w, 999_999_999), { content: "x" }), 404, "Contact not found");
    expectError(await as(w.agent).get(`${path}/999999999`), 404, "Note not found");
    // The note exists, but not under this contact.
    for (const call of [
      as(w.agent).get(`${notesOf(w, other.id)}/${note.id}`),
      as(w.agent).patch(`${notesOf(w, other.id)}/${note.id}`, { content: "moved?" }),
      as(w.agent).delete(`${notesOf(w, other.id)}/${note.id}`),
    ])
      expectError(await call, 404, "Note not found");
    expect((await as(w.agent).get(`${path}/${note.id}`)).body.content).toBe("Mine");
  });
});

describe("contact notes: security", () => {
  it("keeps another agent's note from being changed or deleted (403), and changes nothing", async () => {
    const { w, path } = await noteWorld();
    const note = (await as(w.agent).post(path, { content: "The agent's own" })).body;
    const before = await ownedRows(w.account.id);
    const forbidden = "Only the note's author or an administrator may do this";
    expectError(await as(w.outsider).patch(`${path}/${note.id}`, { content: "Overwritten" }), 403, forbidden);
    expectError(await as(w.outsider).delete(`${path}/${note.id}`), 403, forbidden);
    expect(await ownedRows(w.account.id)).toEqual(before);
  });

  it("answers another account's callers and ids with 404, refuses bots and bad tokens", async () => {
    const { w, contact, path } = await noteWorld();
    const other = await createWorld("Other");
    const note = (await as(w.agent).post(path, { content: "Secret about Noted" })).body;
    const { contact: theirs } = await createContact(other, { name: "Theirs" });
    const bot = await createBot(w);
    const before = await ownedRows(w.account.id);
    // Their administrator, with this account's ids.
    for (const call of [
      as(other.admin).get(path),
      as(other.admin).post(path, { content: "intruder" }),
      as(other.admin).get(`${path}/${note.id}`),
      as(other.admin).patch(`${path}/${note.id}`, { content: "intruder" }),
      as(other.admin).delete(`${path}/${note.id}`),
    ])
      expectError(await call, 404, "Account not found");
    // Their own account, with this account's contact and note ids.
    const theirPath = `${other.base}/contacts/${contact.id}/notes`;
    expectError(await as(other.admin).get(theirPath), 404, "Contact not found");
    expectError(await as(other.admin).post(theirPath, { content: "intruder" }), 404, "Contact not found");
    for (const call of [
      as(other.admin).get(`${notesOf(other, theirs.id)}/${note.id}`),
      as(other.admin).patch(`${notesOf(other, theirs.id)}/${note.id}`, { content: "intruder" }),
      as(other.admin).delete(`${notesOf(other, theirs.id)}/${note.id}`),
    ])
      expectError(await call, 404, "Note not found");
    expectError(await as({ token: "nope" }).get(path), 401);
    expectError(await as(bot).get(path), 401, "Access to this endpoint is not authorized for bots");
    expect(await ownedRows(w.account.id)).toEqual(before);
  });
});
