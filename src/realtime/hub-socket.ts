import { hubFor } from "../events/publish";
import { HANDOFF_HEADER, type Handoff } from "./protocol";

/**
 * Opens a socket to the account's hub for a subscriber this Worker authenticated. The request
 * is built here from scratch, so no header a client sent can reach the hub.
 */
export async function openHubSocket(hubs: Env["CABLE"], handoff: Handoff): Promise<WebSocket> {
  const res = await hubFor(hubs, handoff.sub.accountId).fetch("https://cable.internal/connect", {
    headers: { upgrade: "websocket", [HANDOFF_HEADER]: JSON.stringify(handoff) },
  });
  if (!res.webSocket) throw new Error(`the hub refused the socket (${res.status})`);
  return res.webSocket;
}
