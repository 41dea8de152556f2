import type { AppRouteHandler } from "../openapi";
import type { ConversationView } from "../../serializers/conversation";
import { publicContact, publicConversation, publicInbox, publicMessage } from "../../serializers/public";
import * as contacts from "../../services/public-contacts";
import * as conversations from "../../services/public-conversations";
import * as messages from "../../services/public-messages";
import { replyOutOfOffice } from "../../services/auto-replies";
import type * as routes from "./public.routes";
import { type MessageWithSender, sendersOf } from "../../views/messages";
import { responseLinks } from "../attachments/links";

type C = { env: Env; var: { ctx: { origin: string } } };

/** Messages as the contact sees them: agents without their e-mail, the contact as itself. */
function shown(c: C, v: ConversationView, rows: MessageWithSender[]) {
  return rows.map((r) =>
    publicMessage(r.message, v.conversation.displayId, sendersOf(r, v.contact), {
      attachments: r.attachments,
      links: responseLinks(c),
    }),
  );
}

export const showInbox: AppRouteHandler<typeof routes, "showInbox"> = (c) =>
  c.json(publicInbox(c.var.client.inbox), 200);

export const createContact: AppRouteHandler<typeof routes, "createContact"> = async (c) => {
  const input = c.req.valid("json");
  const session = await contacts.createPublicContact(c.var.db, c.var.outbox, c.req.valid("param").inbox_identifier, {
    ...input,
    email: input.email ?? undefined,
    avatar_url: input.avatar_url ?? undefined,
  });
  return c.json(publicContact(session.contact, session.contactInbox), 200);
};

export const showContact: AppRouteHandler<typeof routes, "showContact"> = async (c) => {
  const q = c.req.valid("query");
  const session = await contacts.identifySession(c.var.ctx, c.var.session, q.identifier, q.identifier_hash);
  return c.json(publicContact(session.contact, session.contactInbox), 200);
};

export const updateContact: AppRouteHandler<typeof routes, "updateContact"> = async (c) => {
  const input = c.req.valid("json");
  const identified = await contacts.identifySession(c.var.ctx, c.var.session, input.identifier, input.identifier_hash);
  const session = await contacts.updatePublicContact(c.var.ctx, identified, input);
  return c.json(publicContact(session.contact, session.contactInbox), 200);
};

export const listConversations: AppRouteHandler<typeof routes, "listConversations"> = (c) => {
  const page = c.req.valid("query").page ?? 1;
  const { conversations: list, total, messages: rows } = c.var.page;
  const url = new URL(c.req.url);
  const links: string[] = [];
  if (page * conversations.PUBLIC_CONVERSATIONS_PER_PAGE < total) {
    url.searchParams.set("page", String(page + 1));
    links.push(`<${url}>; rel="next"`);
  }
  c.header("X-Total-Count", String(total));
  if (links.length) c.header("Link", links.join(", "));
  return c.json(
    list.map((v) =>
      publicConversation(
        v,
        shown(
          c,
          v,
          rows.filter((r) => r.message.conversationId === v.conversation.id),
        ),
      ),
    ),
    200,
  );
};

export const createConversation: AppRouteHandler<typeof routes, "createConversation"> = async (c) => {
  const input = c.req.valid("json");
  const v = await conversations.createPublicConversation(c.var.ctx, c.var.session, input, c.var.latest);
  return c.json(publicConversation(v, []), 200);
};

export const showConversation: AppRouteHandler<typeof routes, "showConversation"> = (c) => {
  const v = c.var.conversation;
  return c.json(publicConversation(v, shown(c, v, c.var.messages)), 200);
};

export const resolveConversation: AppRouteHandler<typeof routes, "resolveConversation"> = async (c) => {
  const v = await conversations.resolveByContact(c.var.ctx, c.var.session, c.var.conversation);
  return c.json(publicConversation(v, []), 200);
};

export const toggleTyping: AppRouteHandler<typeof routes, "toggleTyping"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  await conversations.contactTyping(c.var.ctx, c.var.session, v, input.typing_status === "on");
  return c.body(null, 200);
};

export const updateLastSeen: AppRouteHandler<typeof routes, "updateLastSeen"> = async (c) => {
  await conversations.markSeen(c.var.ctx, c.var.conversation, c.var.unread);
  return c.body(null, 200);
};

export const listMessages: AppRouteHandler<typeof routes, "listMessages"> = (c) => {
  const v = c.var.conversation;
  return c.json(shown(c, v, c.var.messages), 200);
};

export const createMessage: AppRouteHandler<typeof routes, "createMessage"> = async (c) => {
  const v = c.var.conversation;
  const input = c.req.valid("json");
  const row = c.var.written ?? (await messages.createContactMessage(c.var.ctx, v, input, c.env.ATTACHMENTS));
  await replyOutOfOffice(c.var.ctx, row);
  if (row.replayed) c.header("Idempotent-Replayed", "true");
  return c.json(
    publicMessage(
      row.message,
      v.conversation.displayId,
      { contact: v.contact },
      { attachments: row.attachments, links: responseLinks(c) },
    ),
    200,
  );
};

export const submitMessage: AppRouteHandler<typeof routes, "submitMessage"> = async (c) => {
  const { conversation: v, message: m } = c.var;
  const input = c.req.valid("json");
  // Chatwoot's widget nests the CSAT answer inside submitted_values.
  const values = input.submitted_values as Record<string, unknown>;
  const csat =
    input.csat_survey_response ??
    (values && !Array.isArray(values)
      ? (values.csat_survey_response as messages.SubmittedValues["csat_survey_response"])
      : undefined);
  const updated = await messages.submitValues(c.var.ctx, m.message, {
    submitted_values: input.submitted_values,
    csat_survey_response: csat,
  });
  return c.json(shown(c, v, [{ ...m, message: updated }])[0], 200);
};
