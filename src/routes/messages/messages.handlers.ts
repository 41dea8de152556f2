import type { AppRouteHandler } from "../openapi";
import type { AccountEnv } from "../../middleware/auth";
import { unixOrZero } from "../../lib/time";
import { contactPushData } from "../../serializers/contact";
import { message } from "../../serializers/message";
import { userPushData } from "../../serializers/user";
import * as messages from "../../services/messages";
import { replyOutOfOffice } from "../../services/auto-replies";
import type * as routes from "./messages.routes";
import type { MessageRow, StoredAttachment } from "../../db/schema";
import type { ConversationView } from "../../serializers/conversation";
import { type MessageWithSender, sendersOf } from "../../views/messages";
import { botSummary } from "../../serializers/agent-bot";
import { responseLinks } from "../attachments/links";

type Loaded = AccountEnv<{ conversation: ConversationView; message: MessageWithSender }>["Variables"];

const files = (c: { env: Env; var: { ctx: { origin: string } } }, attachments: StoredAttachment[]) => ({
  attachments,
  links: responseLinks(c),
});

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const v = c.var.conversation;
  const rows = await messages.listMessages(c.var.ctx, v.conversation.id, c.req.valid("query"));
  return c.json(
    {
      meta: {
        labels: v.conversation.labels,
        additional_attributes: v.conversation.additionalAttributes,
        contact: contactPushData(v.contact),
        assignee: v.assignee ? userPushData(v.assignee, v.assigneeAvailability) : null,
        agent_last_seen_at: unixOrZero(v.conversation.agentLastSeenAt),
        assignee_last_seen_at: unixOrZero(v.conversation.assigneeLastSeenAt),
      },
      payload: rows.map((r) =>
        message(r.message, v.conversation.displayId, sendersOf(r, v.contact), files(c, r.attachments)),
      ),
    },
    200,
  );
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  const row = c.var.written ?? (await messages.createMessage(c.var.ctx, v, input, c.env.ATTACHMENTS));
  await replyOutOfOffice(c.var.ctx, row);
  const { principal } = c.var;
  const bot = principal.bot?.bot;
  const senders = bot
    ? { bot: botSummary(bot), contact: v.contact }
    : { user: principal.user, userAvailability: principal.membership?.availability, contact: v.contact };
  // A repeated echo_id is the message already stored, replayed as an Idempotency-Key repeat is.
  if (row.replayed) c.header("Idempotent-Replayed", "true");
  return c.json(message(row.message, v.conversation.displayId, senders, files(c, row.attachments)), 200);
};

const preloaded = (c: { var: Loaded }) => ({ v: c.var.conversation, m: c.var.message });

/** The path's message as changed by a write (`row`), with its sender and attachments as loaded. */
function asStored(c: { env: Env; var: Loaded }, row: MessageRow) {
  const { v, m } = preloaded(c);
  const senders = sendersOf(m, v.contact);
  return message(row, v.conversation.displayId, senders, files(c, m.attachments));
}

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { v, m } = preloaded(c);
  const row = await messages.deleteMessage(c.var.ctx, m.message);
  return c.json(message(row, v.conversation.displayId, sendersOf(m, v.contact)), 200);
};

export const updateStatus: AppRouteHandler<typeof routes, "updateStatus"> = async (c) => {
  const input = c.req.valid("json");
  const row = await messages.updateMessageStatus(c.var.ctx, c.var.message.message, input.status, input.external_error);
  return c.json(asStored(c, row), 200);
};

export const retry: AppRouteHandler<typeof routes, "retry"> = async (c) => {
  const row = await messages.retryMessage(c.var.ctx, c.env.WEBHOOK_QUEUE, c.var.message.message);
  return c.json(asStored(c, row), 200);
};
