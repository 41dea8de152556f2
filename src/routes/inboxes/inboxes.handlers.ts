import type { AppRouteHandler } from "../openapi";
import { parseBody } from "../../lib/body";
import type { AppEnv } from "../../middleware/context";
import { inbox } from "../../serializers/inbox";
import { viewerOf } from "../../services/auth";
import * as inboxes from "../../services/inboxes";
import type { Viewer } from "../../views/visibility";
import { InboxCreateBody, InboxUpdateBody } from "./inboxes.schemas";
import type * as routes from "./inboxes.routes";

type Vars = { var: AppEnv["Variables"] };

const accountId = (c: Vars) => c.var.principal.account!.id;
const viewer = (c: Vars): Viewer => viewerOf(c.var.principal);
const asAdmin = { admin: true };

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const v = viewer(c);
  const rows = await inboxes.listInboxes(c.var.db, accountId(c), v);
  return c.json({ payload: rows.map((r) => inbox(r, v)) }, 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  const v = viewer(c);
  return c.json(inbox(await inboxes.showInbox(c.var.db, accountId(c), v, id), v), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = await parseBody(c, InboxCreateBody, "inbox");
  const row = await inboxes.createInbox(
    c.var.db,
    accountId(c),
    { ...inboxes.inboxSettings(input, c.env), name: input.name },
    c.var.outbox,
  );
  return c.json(inbox(row, asAdmin), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = await parseBody(c, InboxUpdateBody, "inbox");
  const row = await inboxes.updateInbox(c.var.db, accountId(c), id, inboxes.inboxSettings(input, c.env), c.var.outbox);
  return c.json(inbox(row, asAdmin), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await inboxes.deleteInbox(c.var.db, accountId(c), id);
  return c.json({ message: "Inbox deleted" }, 200);
};

export const resetSecret: AppRouteHandler<typeof routes, "resetSecret"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(inbox(await inboxes.resetInboxSecret(c.var.db, accountId(c), id), asAdmin), 200);
};
