import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { BatchItem } from "drizzle-orm/batch";
import type { AppEnv } from "./context";
import { clientQueries, requireVerified, toClient, type PublicSession } from "../services/public-client";

type Preload = (c: Context<AppEnv>, ids: { identifier: string; sourceId: string }) => BatchItem<"sqlite">[];

/**
 * Resolves the public client API's caller from the path: the inbox by `inbox_identifier` and,
 * under `/contacts/{source_id}`, the session. `preload` reads what the route needs in the same
 * D1 batch, so a route costs one round trip before it writes. With `hmac_mandatory`, a session
 * that was never verified is refused on every route, unless the route verifies it (`identifies`).
 */
export function publicClient(opts: { session?: boolean; identifies?: boolean; preload?: Preload } = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const identifier = c.req.param("inbox_identifier") ?? "";
    const sourceId = opts.session ? (c.req.param("source_id") ?? "") : null;
    const db = c.var.db;
    const extra = opts.preload?.(c, { identifier, sourceId: sourceId ?? "" }) ?? [];
    const [inbox, session, ...preloaded] = await db.batch([...clientQueries(db, identifier, sourceId), ...extra]);
    const client = toClient([inbox, session], opts.session ?? false);
    if (!opts.identifies) requireVerified(client);
    c.set("client", client);
    c.set("preload", preloaded);
    await next();
  });
}

/** The caller's session on a route under `/contacts/{source_id}`. */
export const sessionOf = (c: { var: AppEnv["Variables"] }): PublicSession => c.var.client as PublicSession;
