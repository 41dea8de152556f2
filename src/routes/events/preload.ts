import type { Context } from "hono";
import { authenticate, type Load, pathId } from "../../middleware/auth";
import { eventStatements, feedQuery, feedStatements } from "../../services/event-feed";
import { EventFeedQuery } from "./events.schemas";

/** The query as the router's validator reads it: a repeated key as a list, a single one as a value. */
const queryOf = (c: Context) =>
  Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));

/**
 * The feed page, read with the token check (one round trip). A query that will be refused reads
 * nothing: the router's validation answers it (422) after authentication. The handler reads the
 * rows through the service (`readFeed`).
 */
const page: Load<{ rows: unknown[] }> = {
  queries: (c, callerId) => {
    const q = EventFeedQuery.safeParse(queryOf(c));
    return q.success ? [...feedStatements(c.var.db, pathId(c, "account_id"), callerId, feedQuery(q.data))] : [];
  },
  apply: (rows) => ({ rows }),
};

/** The path's event, read with the token check. */
const one: Load<{ rows: unknown[] }> = {
  queries: (c, callerId) => [...eventStatements(c.var.db, pathId(c, "account_id"), callerId, pathId(c, "id"))],
  apply: (rows) => ({ rows }),
};

export const withFeedPage = authenticate({ account: true, load: page });
export const withEvent = authenticate({ account: true, load: one });
