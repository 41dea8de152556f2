import { replayScope, visibleTo } from "../events/audience";
import { eventQueries, type Loaded, readEvents } from "../events/load";
import { cursorGone, type IdBounds, idBounds } from "../db/horizon";
import { encode, REPLAY_LIMIT, trySend, type Connection, type Frame } from "./protocol";
import { renderFrame } from "../events/render";
import type { DB } from "../db/client";

export type Socket = { ws: WebSocket; conn: Connection };

/**
 * Sends events to sockets: live ones as they are published, missed ones on replay. While a
 * socket's replay is being read, its live frames are held back and sent after it (skipping
 * what the replay already sent), so each socket sees event ids in increasing order.
 */
export class Fanout {
  private held = new Map<WebSocket, { id: number; text: string }[]>();

  /** `secret` signs the attachment links in the frames. */
  constructor(private readonly secret: string | undefined) {}

  /** Each event's frame to each socket allowed to see it, rendered once per audience. */
  deliver(l: Loaded, sockets: Socket[]) {
    const frames = new Map<string, Frame | null>();
    for (const e of l.events) {
      for (const { ws, conn } of sockets) {
        if (!visibleTo(conn.sub, e, l)) continue;
        const key = `${e.id}:${conn.sub.kind}`;
        if (!frames.has(key)) frames.set(key, renderFrame(e, l, conn.sub.kind, this.secret));
        const frame = frames.get(key);
        const text = frame ? encode(conn, frame) : null;
        if (!text) continue;
        const held = this.held.get(ws);
        if (held) held.push({ id: e.id, text });
        else trySend(ws, text);
      }
    }
  }

  /**
   * Sends what the socket's subscriber may see after event `since`, at most REPLAY_LIMIT
   * events, then `replay.truncated` if there was more (the client should refetch), then the
   * live frames held meanwhile. When retention deleted the events right after `since`, it sends
   * `replay.gone` with the oldest event id kept instead of any event (the client should refetch),
   * then the live frames. The events and the table's bounds are read in one batch.
   */
  async replay(db: DB, ws: WebSocket, since: number) {
    const held: { id: number; text: string }[] = [];
    this.held.set(ws, held);
    let last = since;
    let complete = false;
    try {
      const sub = (ws.deserializeAttachment() as Connection | null)?.sub;
      if (!sub) return;
      const opts = { accountId: sub.accountId, agents: sub.kind === "agent" ? [sub.userId] : [] };
      const [bounds, ...rows] = await db.batch([
        idBounds(db, "events"),
        ...eventQueries(db, replayScope(sub, since), REPLAY_LIMIT + 1, opts),
      ]);
      const l = readEvents(rows, opts);
      // Read again: the client may have subscribed while the events loaded.
      const conn = ws.deserializeAttachment() as Connection | null;
      if (!conn) return;
      const [kept] = bounds as IdBounds[];
      if (cursorGone(since, kept)) {
        complete = true;
        const text = encode(conn, { event: "replay.gone", data: { since, oldest_available_id: kept.through + 1 } });
        if (text) trySend(ws, text);
        return;
      }
      for (const e of l.events.slice(0, REPLAY_LIMIT)) {
        last = e.id;
        const frame = visibleTo(sub, e, l) ? renderFrame(e, l, sub.kind, this.secret) : null;
        const text = frame ? encode(conn, frame) : null;
        if (text) trySend(ws, text);
      }
      complete = l.events.length <= REPLAY_LIMIT;
    } catch (err) {
      console.error(JSON.stringify({ event: "cable_replay_failed", since, error: String(err) }));
    } finally {
      const conn = ws.deserializeAttachment() as Connection | null;
      // Too much was missed, or it could not be read: the client should refetch what it shows.
      const text =
        !complete && conn
          ? encode(conn, { event: "replay.truncated", data: { since, last_event_id: last, limit: REPLAY_LIMIT } })
          : null;
      if (text) trySend(ws, text);
      this.held.delete(ws);
      for (const h of held.sort((a, b) => a.id - b.id)) if (h.id > last) trySend(ws, h.text);
    }
  }

  forget(ws: WebSocket) {
    this.held.delete(ws);
  }
}
