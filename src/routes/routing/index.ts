import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, json } from "../openapi";
import { accountChild } from "../../lib/params";
import { errors } from "../responses";
import { unix } from "../../lib/time";
import { authenticate } from "../../middleware/auth";
import { Agent } from "../../serializers/user";
import { agent } from "../../serializers/user";
import { isAdmin } from "../../services/auth";
import { findInbox } from "../../services/inboxes";
import { memberRows } from "../../services/member-sets";
import { STRATEGIES } from "../../db/schema";
import { routingSummary } from "../../services/routing";
import { notFound } from "../../lib/errors";

const Params = accountChild("id", "Inbox id");
const tags = ["Routing"];

const assignable = createRoute({
  method: "get",
  path: "/api/v1/accounts/{account_id}/inboxes/{id}/assignable_agents",
  tags,
  summary: "Agents a conversation of this inbox can be assigned to (its members)",
  description:
    "Any agent of the account who is a member of the inbox, and its administrators, may call this; for anyone " +
    "else, and for another account's inbox, it answers 404. Returns the inbox's members in `payload`.",
  middleware: authenticate({ account: true }),
  request: { params: Params },
  responses: { 200: json(z.object({ payload: z.array(Agent) }).openapi("AssignableAgents"), "Members"), ...errors },
});

const RoutingSummary = z
  .object({
    inbox_id: z.number().int(),
    enable_auto_assignment: z.boolean(),
    strategy: z.enum(STRATEGIES),
    max_assignment_limit: z.number().int().nullable(),
    reassign_when_offline: z.boolean(),
    agents: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        availability_status: z.string(),
        open_conversations: z.number().int(),
        last_assigned_at: z.number().int().nullable(),
      }),
    ),
    unassigned_count: z.number().int(),
    oldest_waiting_since: z.number().int().nullable(),
  })
  .openapi("RoutingSummary");

const summary = createRoute({
  method: "get",
  path: "/api/v1/accounts/{account_id}/inboxes/{id}/routing",
  tags,
  summary: "How the inbox routes: strategy and limit, open conversations per agent, the unassigned backlog",
  description:
    "Only the account's administrators may call this. Lists each inbox member's open conversations in the inbox " +
    "and when they were last assigned, plus the count of open unassigned conversations and the oldest one's " +
    "waiting time (`oldest_waiting_since`); `strategy` defaults to `balanced`.",
  middleware: authenticate({ account: true, admin: true }),
  request: { params: Params },
  responses: { 200: json(RoutingSummary, "Routing summary"), ...errors },
});

export const routingRouter = createRouter()
  .openapi(assignable, async (c) => {
    const { id } = c.req.valid("param");
    const { db, accountId, actor } = c.var.ctx;
    const members = await memberRows(db, accountId, "inbox", id);
    if (!isAdmin(actor) && !members.some((m) => m.user.id === actor.user.id)) throw notFound("Inbox");
    if (members.length === 0) await findInbox(db, accountId, id);
    return c.json({ payload: members.map((m) => agent(m.user, m.membership)) }, 200);
  })
  .openapi(summary, async (c) => {
    const { id } = c.req.valid("param");
    const { db, accountId } = c.var.ctx;
    const inbox = await findInbox(db, accountId, id);
    const { members, backlog } = await routingSummary(db, accountId, id);
    const config = inbox.autoAssignmentConfig as {
      max_assignment_limit?: number | null;
      strategy?: (typeof STRATEGIES)[number];
    };
    return c.json(
      {
        inbox_id: inbox.id,
        enable_auto_assignment: inbox.enableAutoAssignment,
        strategy: config.strategy ?? "balanced",
        max_assignment_limit: config.max_assignment_limit ?? null,
        reassign_when_offline: inbox.reassignWhenOffline,
        agents: members.map((m) => ({
          id: m.id,
          name: m.name,
          availability_status: m.availability,
          open_conversations: m.open_count,
          last_assigned_at: unix(m.last_assigned_at),
        })),
        unassigned_count: backlog.unassigned,
        oldest_waiting_since: unix(backlog.oldest),
      },
      200,
    );
  });
