import { AppError, forbidden, unauthorized } from "../lib/errors";
import { originAllowed } from "../lib/origins";
import { acceptFrameFirst } from "./bridge";
import { negotiateProtocol, positiveInt, sinceOf } from "./protocol";
import { openHubSocket } from "./hub-socket";
import { authenticateSubscriber } from "./subscriber";
import type { DB } from "../db/client";

export type CableQuery = {
  pubsub_token?: string;
  account_id?: string;
  user_id?: string;
  since?: string;
  last_event_id?: string;
};

/** What `/cable` reads from the upgrade request; `token` is an agent's access token, from a header or the query. */
type CableRequest = {
  upgrade?: string;
  origin?: string;
  protocols?: string;
  token: string | null;
  query: CableQuery;
};

const upgraded = (socket: WebSocket, protocol: string | null) =>
  new Response(null, {
    status: 101,
    webSocket: socket,
    headers: protocol ? { "sec-websocket-protocol": protocol } : {},
  });

/**
 * Opens a realtime socket. Refuses anything but a WebSocket upgrade (426) and browser origins
 * outside PUBLIC_API_ALLOWED_ORIGINS (403). With a token in the URL (or the api_access_token
 * header) the subscriber is authenticated against D1 before the upgrade (401 when refused) and
 * the socket goes to the account's hub; without one, the Worker speaks ActionCable until a
 * subscribe frame names the subscriber (bridge.ts).
 */
export async function openCable(
  env: Pick<Env, "DB" | "CABLE" | "PUBLIC_API_ALLOWED_ORIGINS">,
  db: DB,
  req: CableRequest,
): Promise<Response> {
  if (req.upgrade?.toLowerCase() !== "websocket") {
    throw new AppError(
      426,
      "UPGRADE_REQUIRED",
      "This endpoint only accepts WebSocket connections (Upgrade: websocket)",
    );
  }
  if (!originAllowed(env.PUBLIC_API_ALLOWED_ORIGINS, req.origin))
    throw forbidden("This origin may not open realtime connections");
  const protocol = negotiateProtocol(req.protocols);
  const q = req.query;
  const creds = {
    pubsubToken: q.pubsub_token?.trim() || undefined,
    accessToken: req.token ?? undefined,
    accountId: positiveInt(q.account_id),
    userId: positiveInt(q.user_id),
  };
  if (!creds.pubsubToken && !creds.accessToken) return upgraded(acceptFrameFirst(env), protocol);
  const sub = await authenticateSubscriber(db, creds);
  if (!sub)
    throw unauthorized("Invalid token, or it may not subscribe (unverified identity, unknown or ambiguous account)");
  const socket = await openHubSocket(env.CABLE, {
    sub,
    mode: protocol ? "actioncable" : "plain",
    identifier: null,
    since: sinceOf(q.since ?? q.last_event_id),
    welcome: protocol !== null,
    confirm: false,
  });
  return upgraded(socket, protocol);
}
