import type { AppRouteHandler } from "../openapi";
import { drainForAgent } from "../../services/routing";
import { findOrCreateContactProfile } from "../../services/contact-profile";
import { contact } from "../../serializers/contact";
import { profile } from "../../serializers/user";
import * as profiles from "../../services/profile";
import type * as routes from "./profile.routes";

const render = (view: profiles.ProfileView, token: string) => profile(view.user, token, view.memberships);

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { user, token } = c.var.principal;
  return c.json(render(await profiles.showProfile(c.var.db, user), token), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { user, token, credential } = c.var.principal;
  const input = c.req.valid("json");
  return c.json(render(await profiles.updateProfile(c.var.db, user, input, credential), token), 200);
};

export const availability: AppRouteHandler<typeof routes, "availability"> = async (c) => {
  const { user, token } = c.var.principal;
  const input = c.req.valid("json");
  const profile = await profiles.setAvailability(c.var.db, user, input.account_id, input.availability);
  // An agent coming online takes on the unassigned backlog of their inboxes.
  if (input.availability === "online") await drainForAgent(c.var.db, c.var.outbox, input.account_id, user.id);
  c.var.outbox.presenceChanged(input.account_id);
  return c.json(render(profile, token), 200);
};

export const autoOffline: AppRouteHandler<typeof routes, "autoOffline"> = async (c) => {
  const { user, token } = c.var.principal;
  const input = c.req.valid("json");
  const profile = await profiles.setAutoOffline(c.var.db, user, input.account_id, input.auto_offline);
  // Presence counts an auto_offline agent without a socket as offline: the flag changes what others see.
  c.var.outbox.presenceChanged(input.account_id);
  return c.json(render(profile, token), 200);
};

export const resetAccessToken: AppRouteHandler<typeof routes, "resetAccessToken"> = async (c) => {
  const view = await profiles.resetProfileToken(c.var.db, c.var.principal.user);
  return c.json(render(view, view.token), 200);
};

export const createContactProfile: AppRouteHandler<typeof routes, "createContactProfile"> = async (c) => {
  const input = c.req.valid("json");
  const found = await findOrCreateContactProfile(
    { db: c.var.db, outbox: c.var.outbox, actor: c.var.principal, origin: new URL(c.req.url).origin },
    input,
  );
  return c.json(
    {
      ...contact(found.contact, found.contactInboxes),
      source_id: found.contactInbox.sourceId,
      pubsub_token: found.contactInbox.pubsubToken,
      hmac_verified: found.contactInbox.hmacVerified,
      inbox_identifier: found.inbox.identifier,
    },
    200,
  );
};
