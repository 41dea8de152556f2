import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { BatchItem } from "drizzle-orm/batch";
import type { AppEnv } from "./context";
import { readsWithWrite, setAll } from "./auth";
import type { ServiceContext } from "../services/context";
import {
  clientQueries,
  requireVerified,
  toClient,
  type PublicClient,
  type PublicSession,
} from "../services/public-client";

/** The inbox and session the path names, as its `inbox_identifier` and `source_id`. */
export type PathIds = { identifier: string; sourceId: string };

/**
 * What a client API route reads with the caller's inbox and session, in the same D1 batch:
 * `queries` builds the reads from the path; `apply` turns their rows into the values `V` the
 * handler reads on `c.var` (typed there), answering 404 for a conversation or message the
 * session does not have.
 */
export type PublicLoad<V extends object> = {
  queries: (c: Context<AppEnv>, ids: PathIds) => BatchItem<"sqlite">[];
  /**
   * The route's write itself, in the same batch, so the whole request is one round trip. Its first
   * statement must fail unless the session may make it (D1 rolls the batch back): a refused or
   * failed write is then made again without it, and the route answers as it would have
   * (`readsWithWrite`).
   */
  writes?: (c: Context<AppEnv>, ids: PathIds) => Promise<BatchItem<"sqlite">[]>;
  /** `written`: the write's results, when it committed with the reads. */
  apply: (rows: unknown[], written?: unknown[]) => V;
};

/** What a client API handler finds on `c.var`: the caller, the service context and what its route loaded. */
export type ClientEnv<V extends object = object> = AppEnv & {
  Variables: V & { client: PublicClient; ctx: ServiceContext<null> };
};

type ClientOptions<V extends object> = { session?: boolean; identifies?: boolean; load?: PublicLoad<V> };

/**
 * Resolves the public client API's caller from the path: the inbox by `inbox_identifier` and,
 * with `session`, the contact_inbox under `/contacts/{source_id}` (as `c.var.session`). `load`
 * reads what the route needs in the same D1 batch, so a route costs one round trip before it
 * writes. With `hmac_mandatory`, a session that was never verified is refused on every route,
 * unless the route verifies it (`identifies`).
 */
export function publicClient<V extends object = object>(
  opts: ClientOptions<V> & { session: true },
): MiddlewareHandler<ClientEnv<V & { session: PublicSession }>>;
export function publicClient(opts?: { session?: false }): MiddlewareHandler<ClientEnv>;
export function publicClient<V extends object>(opts: ClientOptions<V> = {}): MiddlewareHandler {
  return createMiddleware<AppEnv>(async (c, next) => {
    const identifier = c.req.param("inbox_identifier") ?? "";
    const sourceId = opts.session ? (c.req.param("source_id") ?? "") : null;
    const db = c.var.db;
    const ids = { identifier, sourceId: sourceId ?? "" };
    const writes = opts.load?.writes ? await opts.load.writes(c, ids) : [];
    const { rows, written } = await readsWithWrite(
      db,
      [...clientQueries(db, identifier, sourceId), ...(opts.load?.queries(c, ids) ?? [])],
      writes,
    );
    const [inbox, session, ...loaded] = rows;
    const client = toClient([inbox, session], opts.session ?? false);
    if (!opts.identifies) requireVerified(client);
    const ctx: ServiceContext<null> = {
      db,
      accountId: client.inbox.accountId,
      actor: null,
      outbox: c.var.outbox,
      origin: new URL(c.req.url).origin,
    };
    setAll(c, { client, ctx, ...(opts.session && { session: client }), ...opts.load?.apply(loaded, written) });
    await next();
  });
}
