import type { AppRouteHandler } from "../openapi";
import { contact } from "../../serializers/contact";
import { conversation } from "../../serializers/conversation";
import { inboxSlim } from "../../serializers/inbox";
import * as contacts from "../../services/contacts";
import { labelFilterOf } from "../../lib/params";
import type * as routes from "./contacts.routes";

const withInboxes = (r: contacts.ContactWithInboxes, include = true) =>
  contact(r.contact, include ? r.contactInboxes : undefined);

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const query = c.req.valid("query");
  const { page = 1, sort, include_contact_inboxes } = query;
  const result = await contacts.listContacts(c.var.ctx, page, sort, labelFilterOf(query));
  return c.json(
    {
      meta: { count: result.count, current_page: page },
      payload: result.contacts.map((r) => withInboxes(r, include_contact_inboxes ?? true)),
    },
    200,
  );
};

export const search: AppRouteHandler<typeof routes, "search"> = async (c) => {
  const query = c.req.valid("query");
  const { page = 1, sort, q, include_contact_inboxes } = query;
  const result = await contacts.searchContacts(c.var.ctx, q ?? "", page, sort, labelFilterOf(query));
  return c.json(
    {
      meta: { count: result.count, current_page: page, has_more: page * contacts.CONTACTS_PER_PAGE < result.count },
      payload: result.contacts.map((r) => withInboxes(r, include_contact_inboxes ?? true)),
    },
    200,
  );
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const input = c.req.valid("json");
  const result = await contacts.createContact(c.var.ctx, input, c.var.creationReads);
  const ci = result.contactInbox;
  return c.json(
    {
      payload: {
        contact: withInboxes(result),
        contact_inbox: ci ? { source_id: ci.contactInbox.sourceId, inbox: inboxSlim(ci.inbox) } : null,
      },
    },
    200,
  );
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json({ payload: withInboxes(await contacts.showContact(c.var.ctx, id)) }, 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  return c.json({ payload: withInboxes(await contacts.updateContact(c.var.ctx, id, input)) }, 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { id } = c.req.valid("param");
  await contacts.deleteContact(c.var.ctx, id);
  return c.json({ message: "Contact deleted" }, 200);
};

export const conversations: AppRouteHandler<typeof routes, "conversations"> = async (c) => {
  const { id } = c.req.valid("param");
  const views = await contacts.contactConversations(c.var.ctx, id);
  return c.json({ payload: views.map(conversation) }, 200);
};

export const contactInboxes: AppRouteHandler<typeof routes, "contactInboxes"> = async (c) => {
  const { id } = c.req.valid("param");
  const found = await contacts.showContact(c.var.ctx, id);
  return c.json(
    {
      payload: found.contactInboxes.map((ci) => ({ source_id: ci.contactInbox.sourceId, inbox: inboxSlim(ci.inbox) })),
    },
    200,
  );
};

export const createContactInbox: AppRouteHandler<typeof routes, "createContactInbox"> = async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const ci = await contacts.addContactInbox(c.var.ctx, id, input);
  return c.json({ source_id: ci.contactInbox.sourceId, inbox: inboxSlim(ci.inbox) }, 200);
};
