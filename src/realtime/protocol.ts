import type { Subscriber } from "../events/audience";
import type { Frame } from "../events/frames";

export type { Frame, Subscriber };

/** The subprotocol Rails' ActionCable JS client asks for. */
const ACTIONCABLE_PROTOCOL = "actioncable-v1-json";
/** At most this many missed events are replayed; beyond it the client is told to refetch. */
export const REPLAY_LIMIT = 500;
/** A frame-first client that has not subscribed by then is closed with 4001. */
export const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** ActionCable's client reconnects when it hears no ping for 6 s; it expects one every 3 s. */
export const PING_INTERVAL_MS = 3_000;
/**
 * Carries the authenticated subscriber from the Worker to the hub. The hub is reachable only
 * through the CABLE binding and the Worker builds that request itself, so a client can never set it.
 */
export const HANDOFF_HEADER = "x-konversio-cable-handoff";

/** What the hub keeps on each socket (its attachment), so it survives hibernation. */
export type Connection = {
  sub: Subscriber;
  /** "actioncable": frames wrapped as `{identifier, message}` and pinged; "plain": bare frames. */
  mode: "plain" | "actioncable";
  /** The ActionCable subscription's identifier; null until the client subscribes. */
  identifier: string | null;
  /**
   * The event id to replay after: at once if the socket can receive frames, else when the
   * ActionCable client subscribes.
   */
  since: number | null;
};

/** How the Worker hands a socket to the hub. */
export type Handoff = Connection & { welcome: boolean; confirm: boolean };

/** The text to send on this connection, or null while an ActionCable client has no subscription. */
export function encode(conn: Connection, frame: Frame): string | null {
  if (conn.mode === "plain") return JSON.stringify(frame);
  return conn.identifier === null ? null : JSON.stringify({ identifier: conn.identifier, message: frame });
}

export const welcome = () => JSON.stringify({ type: "welcome" });
export const ping = () => JSON.stringify({ type: "ping", message: Math.floor(Date.now() / 1000) });
export const subscriptionReply = (identifier: string, ok: boolean) =>
  JSON.stringify({ identifier, type: ok ? "confirm_subscription" : "reject_subscription" });

export type Command = { command: "subscribe" | "unsubscribe"; identifier: string; params: Record<string, unknown> };

/** An ActionCable command frame; `identifier` is itself JSON text, kept verbatim for replies. */
export function parseCommand(text: string): Command | null {
  try {
    const frame = JSON.parse(text) as { command?: unknown; identifier?: unknown };
    if ((frame.command !== "subscribe" && frame.command !== "unsubscribe") || typeof frame.identifier !== "string")
      return null;
    const params = JSON.parse(frame.identifier) as unknown;
    if (!params || typeof params !== "object" || Array.isArray(params)) return null;
    return { command: frame.command, identifier: frame.identifier, params: params as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** Who a subscriber says they are: a contact's or user's pubsub token, or an agent's access token. */
export type Credentials = { pubsubToken?: string; accessToken?: string; accountId?: number; userId?: number };

const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** A positive integer given as a number or digits; anything else is absent. */
export function positiveInt(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** An event id to replay after; 0 replays from the start (within the limit). */
export function sinceOf(v: unknown): number | null {
  if (v === 0 || v === "0") return 0;
  return positiveInt(v) ?? null;
}

/** Credentials from an ActionCable identifier (Chatwoot's dashboard sends `account_id` and `user_id`). */
export const credentialsOf = (p: Record<string, unknown>): Credentials => ({
  pubsubToken: text(p.pubsub_token),
  accessToken: text(p.api_access_token),
  accountId: positiveInt(p.account_id),
  userId: positiveInt(p.user_id),
});

/** The ActionCable subprotocol when the client offers it (`Sec-WebSocket-Protocol` is a list). */
export function negotiateProtocol(header: string | undefined | null): string | null {
  const offered = (header ?? "").split(",").map((p) => p.trim());
  return offered.includes(ACTIONCABLE_PROTOCOL) ? ACTIONCABLE_PROTOCOL : null;
}

/** Close codes a peer may not send itself (1005 no status, 1006 abnormal, 1015 TLS) become 1000. */
const sendableCode = (code: number) =>
  code === 1000 || (code >= 1001 && code <= 1014 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
    ? code
    : 1000;

export function trySend(ws: WebSocket, message: string | ArrayBuffer) {
  try {
    ws.send(message);
  } catch {
    // Closing or closed: its close handler cleans up.
  }
}

export function tryClose(ws: WebSocket, code: number, reason: string) {
  try {
    ws.close(sendableCode(code), reason.slice(0, 120));
  } catch {
    // Already closed.
  }
}
