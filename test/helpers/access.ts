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
    const key =
      name === "id"
        ? `id:${path
            .slice(0, offset - 1)
            .split("/")
            .pop()}`
        : name;
    if (ids[key] === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return String(ids[key]);
  });
}

/** Why a refusal did not match: wrong status, or not the `{error, code, details}` envelope. */
export function refusalMismatch(res: ApiResponse, status: number, error?: string): string | null {
  if (res.status !== status) return `expected ${status}, got ${res.status}: ${res.text.slice(0, 160)}`;
  const b = res.body;
  if (typeof b?.error !== "string" || typeof b?.code !== "string" || !Array.isArray(b?.details))
    return `not the error envelope: ${res.text.slice(0, 160)}`;
  if (error !== undefined && b.error !== error) return `error "${b.error}", expected "${error}"`;
  return null;
}

const OWNED: Record<string, string> = {
  account: "select * from accounts where id = ?1",
  accountUsers: "select * from account_users where account_id = ?1 order by id",
  inboxes: "select * from inboxes where account_id = ?1 order by id",
  inboxMembers:
    "select * from inbox_members where inbox_id in (select id from " +
    "inboxes where account_id = ?1) order by inbox_id, user_id",
  teams: "select * from teams where account_id = ?1 order by id",
  teamMembers:
    "select * from team_members where team_id in (select id from " +
    "teams where account_id = ?1) order by team_id, user_id",
  contacts: "select * from contacts where account_id = ?1 order by id",
  contactInboxes:
    "select * from contact_inboxes where contact_id in (select id from contacts where account_id = ?1) order by id",
  conversations: "select * from conversations where account_id = ?1 order by id",
  labels: "select * from conversation_labels where account_id = ?1 order by conversation_id, label",
  labelDefinitions: "select * from labels where account_id = ?1 order by id",
  contactLabels: "select * from contact_labels where account_id = ?1 order by contact_id, label",
  contactNotes: "select * from contact_notes where account_id = ?1 order by id",
  cannedResponses: "select * from canned_responses where account_id = ?1 order by id",
  messages: "select * from messages where account_id = ?1 order by id",
  messageTerms: "select * from message_terms where account_id = ?1 order by term, conversation_id, message_id",
  // Without the file bytes: the row and its size say enough.
  attachments:
    "select id, account_id, message_id, key, file_name, content_type, " +
    "file_size from attachments where account_id = ?1 order by id",
  uploads: "select * from uploads where account_id = ?1 order by id",
  webhooks: "select * from webhooks where account_id = ?1 order by id",
  agentBots: "select * from agent_bots where account_id = ?1 order by id",
  events: "select * from events where account_id = ?1 order by id",
  deliveries: "select * from deliveries where account_id = ?1 order by id",
  notifications: "select * from notifications where account_id = ?1 order by id",
  mentions: "select * from mentions where account_id = ?1 order by id",
  participants: "select * from conversation_participants where account_id = ?1 order by id",
};

/** The tables the Platform API writes, whoever owns the rows. */
const GLOBAL: Record<string, string> = {
  accounts: "select * from accounts order by id",
  users: "select * from users order by id",
  accessTokens: "select * from access_tokens order by id",
  platformBots: "select * from agent_bots where account_id is null order by id",
};

/** Runs named queries in one D1 batch (one round trip, one consistent view). */
async function tables(queries: Record<string, string>, accountId: number) {
  const names = Object.keys(queries);
  const results = await env.DB.batch(
    names.map((n) =>
      queries[n].includes("?1") ? env.DB.prepare(queries[n]).bind(accountId) : env.DB.prepare(queries[n]),
    ),
  );
  return Object.fromEntries(names.map((n, i) => [n, results[i].results]));
}

/** Every row an account owns, table by table, to compare before and after requests that must change nothing. */
export const ownedRows = (accountId: number) => tables(OWNED, accountId);

/**
 * The rows an account owns, and the users, tokens and accounts tables (which the Platform API
 * writes), to prove that refused requests changed nothing.
 */
export const accountSnapshot = (accountId: number) => tables({ ...GLOBAL, ...OWNED }, accountId);
