import type { AppRouteHandler } from "../openapi";
import { conversation } from "../../serializers/conversation";
import { team } from "../../serializers/team";
import { agent } from "../../serializers/user";
import * as actions from "../../services/conversations/actions";
import * as conversations from "../../services/conversations";
import { filterConversations } from "../../services/conversations/filter";
import { actorName } from "../../services/context";
import { typingUser } from "../../events/bodies";
import { unix } from "../../lib/time";
import type * as routes from "./conversations.routes";
import { agentBotSlim, botSummary } from "../../serializers/agent-bot";

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const result = await conversations.listConversations(c.var.ctx, c.req.valid("query"));
  return c.json({ data: { meta: result.meta, payload: result.conversations.map(conversation) } }, 200);
};

export const meta: AppRouteHandler<typeof routes, "meta"> = async (c) => {
  return c.json({ meta: await conversations.conversationCounts(c.var.ctx, c.req.valid("query")) }, 200);
};

export const filter: AppRouteHandler<typeof routes, "filter"> = async (c) => {
  const { payload } = c.req.valid("json");
  const result = await filterConversations(c.var.ctx, payload, c.req.valid("query").page);
  return c.json({ meta: result.meta, payload: result.conversations.map(conversation) }, 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  return c.json(conversation(await conversations.createConversation(c.var.ctx, input, c.var.creationReads)), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => c.json(conversation(c.var.conversation), 200);

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const v = c.var.conversation;
  const { priority } = c.req.valid("json");
  const ctx = c.var.ctx;
  await actions.setPriority(ctx, v, priority);
  return c.json(conversation(await conversations.findConversation(ctx, v.conversation.displayId)), 200);
};

export const toggleStatus: AppRouteHandler<typeof routes, "toggleStatus"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  const result = await actions.toggleStatus(
    c.var.ctx,
    v,
    actorName(c.var.principal),
    input.status,
    input.snoozed_until,
  );
  return c.json(
    {
      meta: {},
      payload: {
        success: true,
        conversation_id: v.conversation.displayId,
        current_status: result.status,
        snoozed_until: unix(result.snoozedUntil),
      },
    },
    200,
  );
};

export const togglePriority: AppRouteHandler<typeof routes, "togglePriority"> = async (c) => {
  const v = c.var.conversation;
  const { priority } = c.req.valid("json");
  await actions.setPriority(c.var.ctx, v, priority);
  return c.json({}, 200);
};

export const updateLastSeen: AppRouteHandler<typeof routes, "updateLastSeen"> = async (c) => {
  const at = await actions.markSeenByAgent(c.var.ctx, c.var.conversation);
  return c.json({ agent_last_seen_at: Math.floor(at / 1000), unread_count: 0 as const }, 200);
};

export const assignments: AppRouteHandler<typeof routes, "assignments"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  const ctx = c.var.ctx;
  if (input.team_id !== undefined) {
    const t = await actions.assignTeam(ctx, v, input.team_id);
    return c.json(t ? team(t, false) : null, 200);
  }
  if (input.assignee_type === "AgentBot")
    return c.json(agentBotSlim(botSummary(await actions.assignBot(ctx, v, input.assignee_id ?? null))), 200);
  const a = await actions.assignAgent(ctx, v, input.assignee_id ?? null);
  return c.json(a ? agent(a.user, a.membership) : null, 200);
};

export const labels: AppRouteHandler<typeof routes, "labels"> = async (c) =>
  c.json({ payload: c.var.conversation.conversation.labels }, 200);

export const setLabels: AppRouteHandler<typeof routes, "setLabels"> = async (c) => {
  const v = c.var.conversation;
  const { labels } = c.req.valid("json");
  return c.json({ payload: await actions.setLabels(c.var.ctx, v, labels) }, 200);
};

export const customAttributes: AppRouteHandler<typeof routes, "customAttributes"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  return c.json({ custom_attributes: await actions.setCustomAttributes(c.var.ctx, v, input.custom_attributes) }, 200);
};

export const destroyCustomAttributes: AppRouteHandler<typeof routes, "destroyCustomAttributes"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  return c.json(
    { custom_attributes: await actions.removeCustomAttributes(c.var.ctx, v, input.custom_attributes) },
    200,
  );
};

export const toggleTyping: AppRouteHandler<typeof routes, "toggleTyping"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  await actions.setTyping(
    c.var.ctx,
    v,
    c.var.principal.bot ? typingUser.bot(c.var.principal.bot.bot) : typingUser.agent(c.var.principal.user),
    input.typing_status === "on",
    input.is_private ?? false,
  );
  return c.json({}, 200);
};
