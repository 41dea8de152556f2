import { drizzle } from "drizzle-orm/d1";
import {
  credentialsOf,
  parseCommand,
  sinceOf,
  SUBSCRIBE_TIMEOUT_MS,
  subscriptionReply,
  tryClose,
  trySend,
  welcome,
  type Command,
} from "./protocol";
import { openHubSocket } from "./hub-socket";
import { authenticateSubscriber } from "./subscriber";

/**
 * Speaks ActionCable on a socket whose subscriber is unknown at upgrade time (the token comes
 * in the subscribe frame, so the account, and with it the hub, is unknown too). Sends welcome;
 * authenticates the first subscribe frame; then pipes frames both ways between the client and
 * the account's hub, and a close on either side closes the other. A rejected subscribe may be
 * retried; without a subscription after SUBSCRIBE_TIMEOUT_MS the socket closes with 4001.
 * Returns the client's end, for the 101 response.
 */
export function acceptFrameFirst(env: Pick<Env, "DB" | "CABLE">): WebSocket {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.send(welcome());
  let upstream: WebSocket | null = null;
  let subscribing = false;
  let closed = false;
  const waiting: string[] = [];
  const timer = setTimeout(() => {
    if (!upstream) tryClose(server, 4001, "No subscription");
  }, SUBSCRIBE_TIMEOUT_MS);

  const subscribe = async (cmd: Command) => {
    const sub = await authenticateSubscriber(drizzle(env.DB), credentialsOf(cmd.params));
    if (!sub) return trySend(server, subscriptionReply(cmd.identifier, false));
    const since = sinceOf(cmd.params.since);
    const socket = await openHubSocket(env.CABLE, {
      sub,
      mode: "actioncable",
      identifier: cmd.identifier,
      since,
      welcome: false,
      confirm: true,
    });
    socket.accept();
    if (closed) return tryClose(socket, 1000, "Client left");
    upstream = socket;
    clearTimeout(timer);
    socket.addEventListener("message", (ev) => trySend(server, ev.data));
    socket.addEventListener("close", (ev) => tryClose(server, ev.code, ev.reason));
    socket.addEventListener("error", () => tryClose(server, 1011, "Realtime hub unavailable"));
  };

  const handle = (text: string) => {
    if (upstream) return trySend(upstream, text);
    if (subscribing) return void waiting.push(text);
    const cmd = parseCommand(text);
    if (cmd?.command !== "subscribe") return;
    subscribing = true;
    subscribe(cmd)
      .catch((err) => {
        console.error(JSON.stringify({ event: "cable_subscribe_failed", error: String(err) }));
        tryClose(server, 1011, "Subscription failed");
      })
      .finally(() => {
        subscribing = false;
        for (const next of waiting.splice(0)) handle(next);
      });
  };

  const end = (code: number, reason: string) => {
    closed = true;
    clearTimeout(timer);
    tryClose(server, code, reason);
    if (upstream) tryClose(upstream, code, reason);
  };
  server.addEventListener("message", (ev) => {
    if (typeof ev.data === "string") handle(ev.data);
  });
  server.addEventListener("close", (ev) => end(ev.code, ev.reason));
  server.addEventListener("error", () => end(1011, "Client connection failed"));
  return client;
}
