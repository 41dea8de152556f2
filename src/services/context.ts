import type { DB } from "../db/client";
import type { Outbox } from "../events/outbox";
import { availableName } from "../serializers/user";
import type { Principal } from "./auth";

/**
 * What every service of an account is given, built once per request by the middleware that
 * admits the caller (`authenticate({ account })` for agents, `publicClient` for contacts) and
 * read by handlers as `c.var.ctx`: the request's database session, the account it acts in, who
 * acts, the outbox its events are recorded in and the origin links are made from.
 *
 * `Actor` is `Principal` on the Application API (an agent or administrator) and `null` on the
 * client API (a contact, whose session the route names).
 */
export type ServiceContext<Actor extends Principal | null = Principal | null> = {
  db: DB;
  accountId: number;
  actor: Actor;
  outbox: Outbox;
  origin: string;
};

/** An agent's or administrator's request in an account. */
export type AgentContext = ServiceContext<Principal>;

/** The acting agent's name, as activity messages and webhooks show it. */
export const actorName = (p: Principal) => availableName(p.user);
