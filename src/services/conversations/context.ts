import type { Outbox } from "../../events/outbox";
import type { DB } from "../../db/client";
import { availableName } from "../../serializers/user";
import type { Principal } from "../auth";

/** What a conversation service runs with: the request's database, caller, account and outbox. */
export type Ctx = { db: DB; principal: Principal; accountId: number; outbox: Outbox };

export const ctxOf = (c: { var: { db: DB; principal: Principal; outbox: Outbox } }): Ctx => ({
  db: c.var.db,
  principal: c.var.principal,
  accountId: c.var.principal.account!.id,
  outbox: c.var.outbox,
});

const actorName = (p: Principal) => availableName(p.user);

export { actorName };
