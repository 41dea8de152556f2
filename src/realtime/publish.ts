import type { Publish } from "../webhooks/outbox";
import { HANDOFF_HEADER, type Handoff } from "./protocol";

type Hubs = Env["CABLE"];

/** The account's hub: one Durable Object per account, so its sockets and events meet in one place. */
const hubFor = (hubs: Hubs, accountId: number) => hubs.get(hubs.idFromName(`account:${accountId}`));

/** What `Outbox.flush` calls to tell the hubs about committed events. */
export const hubPublisher =
  (hubs: Hubs): Publish =>
  (accountId, uids) =>
    hubFor(hubs, accountId).publish(uids);

/**
 * Asks the account's hub to send a fresh `presence.update` (an availability changed). Never
 * throws: presence is a hint, and the next change or connection sends it again.
 */
export async function announcePresence(hubs: Hubs, accountId: number): Promise<void> {
  try {
    await hubFor(hubs, accountId).presenceChanged();
  } catch (err) {
    console.error(JSON.stringify({ event: "realtime_presence_failed", account_id: accountId, error: String(err) }));
  }
}

/** Runs `work` after the response when the runtime offers it (always, in a Worker), else lets it run. */
export function afterResponse(c: { executionCtx: { waitUntil(p: Promise<unknown>): void } }, work: Promise<unknown>) {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context (an app called directly): the promise runs on its own.
  }
}

/**
 * Opens a socket to the account's hub for a subscriber this Worker authenticated. The request
 * is built here from scratch, so no header a client sent can reach the hub.
 */
export async function openHubSocket(hubs: Hubs, handoff: Handoff): Promise<WebSocket> {
  const res = await hubFor(hubs, handoff.sub.accountId).fetch("https://cable.internal/connect", {
    headers: { upgrade: "websocket", [HANDOFF_HEADER]: JSON.stringify(handoff) },
  });
  if (!res.webSocket) throw new Error(`the hub refused the socket (${res.status})`);
  return res.webSocket;
}
