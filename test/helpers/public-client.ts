import { api, type ApiResponse } from "./api";

/** A client of the public API for one inbox, as an app or web chat calls it (no token). */
export function client(identifier: string, opts: { ip?: string } = {}) {
  const base = `/public/api/v1/inboxes/${identifier}`;
  const headers = (extra?: Record<string, string>) => ({
    ...(opts.ip ? { "cf-connecting-ip": opts.ip } : {}),
    ...extra,
  });
  return {
    base,
    get: <T = any>(path: string, query?: Record<string, string>) =>
      api<T>("GET", `${base}${path}`, undefined, { query, headers: headers() }),
    post: <T = any>(path: string, body?: unknown, extra?: Record<string, string>) =>
      api<T>("POST", `${base}${path}`, body ?? {}, { headers: headers(extra) }),
    patch: <T = any>(path: string, body?: unknown) =>
      api<T>("PATCH", `${base}${path}`, body ?? {}, { headers: headers() }),
    put: <T = any>(path: string, body?: unknown) => api<T>("PUT", `${base}${path}`, body ?? {}, { headers: headers() }),
  };
}

export type Client = ReturnType<typeof client>;

/** Creates a contact session and a conversation through the public API. */
export async function startConversation(c: Client, contact: Record<string, unknown> = {}) {
  const created = await c.post("/contacts", { name: "Maya", ...contact });
  if (created.status !== 200) throw new Error(`contact create failed: ${created.text}`);
  const sourceId = created.body.source_id as string;
  const conv = await c.post(`/contacts/${sourceId}/conversations`);
  if (conv.status !== 200) throw new Error(`conversation create failed: ${conv.text}`);
  return {
    contact: created.body,
    sourceId,
    conversation: conv.body,
    path: `/contacts/${sourceId}/conversations/${conv.body.id}`,
  };
}

export const ok = (res: ApiResponse) => {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.text}`);
  return res.body;
};
