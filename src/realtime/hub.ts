import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { drainForAgent } from "../services/routing";
import { Outbox } from "../events/outbox";
import { publishCommitted } from "../events/publish";
import { comeBackOnline, goAutoOffline, presenceData } from "./availability";
import { Fanout, type Socket } from "./fanout";
import { byUids, loadEvents } from "../events/load";
import {
  encode,
  HANDOFF_HEADER,
  parseCommand,
  ping,
  PING_INTERVAL_MS,
  sinceOf,
  subscriptionReply,
  tryClose,
  trySend,
  welcome,
  type Connection,
  type Frame,
  type Handoff,
  type Subscriber,
} from "./protocol";

const tagOf = (sub: Subscriber) => (sub.kind === "agent" ? `user:${sub.userId}` : `contact:${sub.contactId}`);
const autoOfflineKey = (userId: number) => `auto-offline:${userId}`;
const canReceive = (conn: Connection) => conn.mode === "plain" || conn.identifier !== null;

/**
 * One per account (`account:<id>`): holds the account's realtime sockets with the WebSocket
 * Hibernation API, so it sleeps between events. It trusts the subscriber the Worker hands over
 * (the Worker authenticated it); events come from D1's outbox by uid (`publish`), or by id for a
 * replay, so a lost publish costs a client nothing it cannot replay.
 */
export class CableHub extends DurableObject<Env> {
  private fanout = new Fanout(this.env.ATTACHMENT_URL_SECRET);
  /** What this hub last wrote to its account's `sockets_open` (null: nothing since it woke). */
  private flag: boolean | null = null;
  /** The flag's writes, one at a time and in order. */
  private flagging: Promise<void> = Promise.resolve();
  /** Sockets being handed over, not yet accepted. */
  private joining = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Plain clients' keep-alive, answered by the runtime without waking the hub.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  private db() {
    return drizzle(this.env.DB);
  }

  /** Open sockets with their connection (a closing socket's attachment is cleared first). */
  private sockets(): Socket[] {
    const out: Socket[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      const conn = ws.readyState === WebSocket.OPEN ? (ws.deserializeAttachment() as Connection | null) : null;
      if (conn) out.push({ ws, conn });
    }
    return out;
  }

  private connected(sub: Subscriber): boolean {
    return this.ctx
      .getWebSockets(tagOf(sub))
      .some((ws) => ws.readyState === WebSocket.OPEN && ws.deserializeAttachment() !== null);
  }

  async fetch(request: Request): Promise<Response> {
    const raw = request.headers.get(HANDOFF_HEADER);
    if (!raw || request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("Expected a socket handoff", { status: 400 });
    const { welcome: greet, confirm, ...conn } = JSON.parse(raw) as Handoff;
    const { 0: client, 1: server } = new WebSocketPair();
    // Writes call this hub only while the flag is set: it must be set before the socket may expect events.
    this.joining++;
    try {
      await this.setFlag(conn.sub.accountId, true);
      this.ctx.acceptWebSocket(server, [tagOf(conn.sub)]);
    } finally {
      this.joining--;
    }
    // An ActionCable client without a subscription yet keeps its `since` for when it subscribes.
    server.serializeAttachment({ ...conn, since: canReceive(conn) ? null : conn.since });
    if (greet) server.send(welcome());
    if (confirm && conn.identifier) server.send(subscriptionReply(conn.identifier, true));
    if (conn.mode === "actioncable") await this.keepPinging();
    if (conn.since !== null && canReceive(conn)) await this.fanout.replay(this.db(), server, conn.since);
    this.ctx.waitUntil(this.joined(conn.sub));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** ActionCable commands; anything else a client sends is ignored ("ping" never gets here). */
  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    const cmd = typeof message === "string" ? parseCommand(message) : null;
    const conn = ws.deserializeAttachment() as Connection | null;
    if (!cmd || !conn) return;
    if (cmd.command === "unsubscribe") {
      if (cmd.identifier === conn.identifier) ws.serializeAttachment({ ...conn, identifier: null, since: null });
      return;
    }
    // One subscription per connection: the subscriber was fixed when the Worker handed it over.
    if (conn.identifier !== null && conn.identifier !== cmd.identifier)
      return trySend(ws, subscriptionReply(cmd.identifier, false));
    ws.serializeAttachment({ ...conn, mode: "actioncable", identifier: cmd.identifier, since: null });
    trySend(ws, subscriptionReply(cmd.identifier, true));
    if (conn.identifier !== null) return;
    await this.keepPinging();
    const since = sinceOf(cmd.params.since) ?? conn.since;
    if (since !== null) await this.fanout.replay(this.db(), ws, since);
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    tryClose(ws, code, reason);
    await this.left(ws);
  }

  async webSocketError(ws: WebSocket) {
    await this.left(ws);
  }

  /** ActionCable pings, only while ActionCable sockets are connected. */
  async alarm() {
    const listening = this.sockets().filter((s) => s.conn.mode === "actioncable");
    if (listening.length === 0) return;
    const text = ping();
    for (const s of listening) trySend(s.ws, text);
    await this.ctx.storage.setAlarm(Date.now() + PING_INTERVAL_MS);
  }

  /**
   * RPC, after a write committed the events with these uids: sends each socket the frames it
   * may see. With no socket connected it reads nothing; called for `flagged` (the writer saw the
   * account's sockets_open set), it clears the flag that outlived its sockets (the hub was
   * evicted while they closed).
   */
  async publish(uids: string[], flagged?: number): Promise<void> {
    const listening = this.sockets();
    if (listening.length === 0 && flagged !== undefined) await this.setFlag(flagged, false);
    if (listening.length === 0 || uids.length === 0) return;
    const accountId = listening[0].conn.sub.accountId;
    const agents = [...new Set(listening.flatMap((s) => (s.conn.sub.kind === "agent" ? [s.conn.sub.userId] : [])))];
    const loaded = await loadEvents(this.db(), byUids(accountId, uids), uids.length, { accountId, agents });
    this.fanout.deliver(loaded, this.sockets());
  }

  /** RPC: an agent's availability changed; the account's agent sockets hear the presence. */
  async presenceChanged(): Promise<void> {
    const first = this.sockets()[0];
    if (first) await this.broadcastPresence(first.conn.sub.accountId);
  }

  private async keepPinging() {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PING_INTERVAL_MS);
  }

  private async joined(sub: Subscriber) {
    try {
      if (sub.kind === "agent") await this.restoreIfAutoOffline(sub.accountId, sub.userId);
      await this.broadcastPresence(sub.accountId);
    } catch (err) {
      console.error(JSON.stringify({ event: "cable_join_failed", account_id: sub.accountId, error: String(err) }));
    }
  }

  private async left(ws: WebSocket) {
    const conn = ws.deserializeAttachment() as Connection | null;
    if (!conn) return;
    ws.serializeAttachment(null);
    this.fanout.forget(ws);
    const { sub } = conn;
    if (sub.kind === "agent" && !this.connected(sub) && (await goAutoOffline(this.db(), sub.accountId, sub.userId))) {
      await this.ctx.storage.put(autoOfflineKey(sub.userId), true);
      // They may have connected again while the write was in flight.
      if (this.connected(sub)) await this.restoreIfAutoOffline(sub.accountId, sub.userId);
    }
    await this.broadcastPresence(sub.accountId);
    await this.setFlag(sub.accountId, false);
  }

  /**
   * Sets or clears the account's `sockets_open`. A clear is skipped while a socket is open or
   * being accepted, decided when its turn comes, so a clear never lands after a set it raced.
   */
  private setFlag(accountId: number, open: boolean): Promise<void> {
    const write = async () => {
      if (!open && (this.joining > 0 || this.sockets().length > 0)) return;
      if (this.flag === open) return;
      await this.env.DB.prepare("update accounts set sockets_open = ? where id = ?")
        .bind(open ? 1 : 0, accountId)
        .run();
      this.flag = open;
    };
    const next = this.flagging.then(write, write);
    this.flagging = next.catch(() => undefined);
    return next;
  }

  /** An agent this hub set offline is back: online again, and routing hands them the backlog. */
  private async restoreIfAutoOffline(accountId: number, userId: number) {
    const key = autoOfflineKey(userId);
    if (!(await this.ctx.storage.get(key))) return;
    await this.ctx.storage.delete(key);
    const db = this.db();
    if (!(await comeBackOnline(db, accountId, userId))) return;
    const outbox = new Outbox(db);
    await drainForAgent(db, outbox, accountId, userId);
    await publishCommitted(this.env, outbox, (_account, uids) => this.publish(uids));
  }

  private async broadcastPresence(accountId: number) {
    const all = this.sockets();
    if (!all.some((s) => s.conn.sub.kind === "agent")) return;
    const connected = { users: new Set<number>(), contacts: new Set<number>() };
    for (const { conn } of all) {
      if (conn.sub.kind === "agent") connected.users.add(conn.sub.userId);
      else connected.contacts.add(conn.sub.contactId);
    }
    const frame: Frame = { event: "presence.update", data: await presenceData(this.db(), accountId, connected) };
    for (const { ws, conn } of this.sockets()) {
      const text = conn.sub.kind === "agent" ? encode(conn, frame) : null;
      if (text) trySend(ws, text);
    }
  }
}
