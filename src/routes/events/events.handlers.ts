import type { AppRouteHandler } from "../openapi";
import { feedEvent } from "../../serializers/event";
import { feedQuery, readEvent, readFeed } from "../../services/event-feed";
import type * as routes from "./events.routes";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const q = feedQuery(c.req.valid("query"));
  const page = readFeed(c.var.rows, q, c.env.ATTACHMENT_URL_SECRET);
  if (page.hasMore) {
    const next = new URL(c.req.url);
    next.searchParams.set("after", String(page.nextAfter));
    // A token sent in the query is the caller's credential: never echoed into a header.
    next.searchParams.delete("api_access_token");
    c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
  }
  return c.json(
    { payload: page.events.map(feedEvent), meta: { has_more: page.hasMore, next_after: page.nextAfter } },
    200,
  );
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json({ payload: feedEvent(readEvent(c.var.rows, id, c.env.ATTACHMENT_URL_SECRET)) }, 200);
};
