import { env } from "cloudflare:workers";
import { api, type ApiResponse } from "./api";

export type Operation = { method: string; path: string; key: string };

/** Every operation `/openapi.json` documents, as `METHOD /path` keys. */
export async function documentedOperations(): Promise<Operation[]> {
  const { body } = await api("GET", "/openapi.json");
  return Object.entries<Record<string, unknown>>(body.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path, key: `${m.toUpperCase()} ${path}` })),
  );
}

/** Replaces each `{param}` of an OpenAPI path; `id` is named by the collection segment before it. */
export function fillPath(path: string, ids: Record<string, string | number>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string, offset: number) => {
    const key = name === "id" ? `id:${path.slice(0, offset - 1).split("/").pop()}` : name;
    if (ids[key] === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return String(ids[key]);
  });
}

/** Why a refusal did not match: wrong status, or not the `{error, code, details}` envelope. */
export function refusalMismatch(res: ApiResponse, status: number, error?: string): string | null {
  if (res.status !== status) return `expected ${status}, got ${res.status}: ${res.text.slice(0, 160)}`;
  const b = res.body;
  if (typeof b?.error !== "string" || typeof b?.code !== "string" || !Array.isArray(b?.details)) return `not the error envelope: ${res.text.slice(0, 160)}`;
  if (error !== undefined && b.error !== error) return `error "${b.error}", expected "${error}"`;
  return null;
}

/** Every row an account owns, table by table, to compare before and after requests that must change nothing. */
export async function ownedRows(accountId: number) {
  const q = (sql: string) => env.DB.prepare(sql).bind(accountId).all().then((r) => r.results);
  return {
    account: await q("select * from accounts where id = ?"),
    accountUsers: await q("select * from account_users where account_id = ? order by id"),
    inboxes: await q("select * from inboxes where account_id = ? order by id"),
    inboxMembers: await q("select * from inbox_members where inbox_id in (select id from inboxes where account_id = ?) order by inbox_id, user_id"),
    teams: await q("select * from teams where account_id = ? order by id"),
    teamMembers: await q("select * from team_members where team_id in (select id from teams where account_id = ?) order by team_id, user_id"),
    contacts: await q("select * from contacts where account_id = ? order by id"),
    contactInboxes: await q("select * from contact_inboxes where contact_id in (select id from contacts where account_id = ?) order by id"),
    conversations: await q("select * from conversations where account_id = ? order by id"),
    labels: await q("select * from conversation_labels where account_id = ? order by conversation_id, label"),
    messages: await q("select * from messages where account_id = ? order by id"),
    webhooks: await q("select * from webhooks where account_id = ? order by id"),
    events: await q("select * from events where account_id = ? order by id"),
    deliveries: await q("select * from deliveries where account_id = ? order by id"),
  };
}

/**
 * The rows an account owns, and the users, tokens and accounts tables (which the Platform API
 * writes), to prove that refused requests changed nothing.
 */
export async function accountSnapshot(accountId: number) {
  const all = (sql: string) => env.DB.prepare(sql).all().then((r) => r.results);
  return {
    accounts: await all("select * from accounts order by id"),
    users: await all("select * from users order by id"),
    accessTokens: await all("select * from access_tokens order by id"),
    ...(await ownedRows(accountId)),
  };
}
