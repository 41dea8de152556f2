import { drizzle } from "drizzle-orm/d1";
import { env } from "cloudflare:workers";
import { createAccount } from "../../src/services/accounts";
import { addInboxMembers, createInbox } from "../../src/services/inboxes";
import { addToAccount, createUser } from "../../src/services/users";
import { api, type ApiResponse } from "./api";
import { Outbox } from "../../src/events/outbox";
import type { ServiceContext } from "../../src/services/context";

export const testDb = () => drizzle(env.DB);

/** What a request in `accountId` gives a service, for calling one straight. */
export function serviceContext(accountId: number): ServiceContext<null> {
  const db = testDb();
  return { db, accountId, actor: null, outbox: new Outbox(db), origin: "http://localhost" };
}

let seq = 0;
export const unique = (prefix = "x") => `${prefix}-${Date.now().toString(36)}-${++seq}`;

export type Actor = { id: number; token: string; email: string; name: string };

async function user(
  accountId: number,
  role: "administrator" | "agent",
  name: string,
  availability: "online" | "offline" = "online",
): Promise<Actor> {
  const db = testDb();
  const email = `${unique(name.toLowerCase())}@example.test`;
  const { user: u, token } = await createUser(db, { name, email, password: "Secret-password-1" });
  await addToAccount(db, accountId, u.id, role, availability);
  return { id: u.id, token, email, name };
}

/**
 * A fresh account: an administrator and an agent who are members of one API inbox, an
 * agent who is not, and a second inbox only the administrator belongs to.
 */
export async function createWorld(name = "Acme", opts: { autoAssign?: boolean } = {}) {
  const db = testDb();
  const account = await createAccount(db, { name: unique(name) });
  const admin = await user(account.id, "administrator", "Admin");
  const agent = await user(account.id, "agent", "Agent");
  const outsider = await user(account.id, "agent", "Outsider");
  // Manual assignment unless a test asks for routing (the routing tests build their own inboxes).
  const enable_auto_assignment = opts.autoAssign ?? false;
  const inbox = await createInbox(serviceContext(account.id), { name: "API inbox", enable_auto_assignment });
  const otherInbox = await createInbox(serviceContext(account.id), { name: "Back office", enable_auto_assignment });
  await addInboxMembers(db, inbox.id, [admin.id, agent.id]);
  await addInboxMembers(db, otherInbox.id, [admin.id]);
  const base = `/api/v1/accounts/${account.id}`;
  return { account, admin, agent, outsider, inbox, otherInbox, base, db };
}

export type World = Awaited<ReturnType<typeof createWorld>>;

/** An API client bound to one token. */
export function as(actor: { token: string }) {
  return {
    get: <T = any>(path: string, query?: Record<string, string>) =>
      api<T>("GET", path, undefined, { token: actor.token, query }),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      api<T>("POST", path, body ?? {}, { token: actor.token, headers }),
    put: <T = any>(path: string, body?: unknown) => api<T>("PUT", path, body ?? {}, { token: actor.token }),
    patch: <T = any>(path: string, body?: unknown) => api<T>("PATCH", path, body ?? {}, { token: actor.token }),
    delete: <T = any>(path: string, body?: unknown) => api<T>("DELETE", path, body, { token: actor.token }),
  };
}

export function expectError(res: ApiResponse, status: number, message?: string | RegExp) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  if (typeof res.body?.error !== "string" || typeof res.body?.code !== "string" || !Array.isArray(res.body?.details))
    throw new Error(`not the error envelope: ${res.text}`);
  if (message instanceof RegExp && !message.test(res.body.error))
    throw new Error(`error ${res.body.error} !~ ${message}`);
  if (typeof message === "string" && res.body.error !== message)
    throw new Error(`error ${res.body.error} != ${message}`);
}

/** Creates a contact (and its contact_inbox) through the API. */
export async function createContact(w: World, fields: Record<string, unknown> = {}) {
  const res = await as(w.admin).post(`${w.base}/contacts`, {
    name: "Alice",
    identifier: unique("user"),
    inbox_id: w.inbox.id,
    ...fields,
  });
  if (res.status !== 200) throw new Error(`contact create failed: ${res.text}`);
  return { contact: res.body.payload.contact, sourceId: res.body.payload.contact_inbox?.source_id as string };
}

/** The operator's Platform API client (the PLATFORM_API_TOKEN set in vitest.config.ts). */
export const platform = () => as({ token: env.PLATFORM_API_TOKEN! });

/** Creates a conversation (contact + contact_inbox + conversation) through the API. */
export async function createConversation(
  w: World,
  fields: Record<string, unknown> = {},
  actor: { token: string } = w.admin,
) {
  const { contact, sourceId } = await createContact(w);
  const res = await as(actor).post(`${w.base}/conversations`, {
    inbox_id: w.inbox.id,
    contact_id: contact.id,
    ...fields,
  });
  if (res.status !== 200) throw new Error(`conversation create failed: ${res.text}`);
  return { conversation: res.body, contact, sourceId, path: `${w.base}/conversations/${res.body.id}` };
}
