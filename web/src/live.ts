// The /cable subscription: bare JSON frames over a WebSocket, authenticated with the agent's
// pubsub_token. Every frame's `id` is remembered; after a drop the socket reconnects with
// `since=<last id>` and the server replays what was missed before going live again.
// biome-ignore lint/suspicious/noExplicitAny: each event has its own data shape; the screens read the fields they know
export type Frame = { event: string; id?: number; data: any };
export type LiveStatus = "connecting" | "live" | "reconnecting";

type Options = { pubsubToken: string; accountId: number; userId: number };

export class Live {
  private ws: WebSocket | null = null;
  private lastId: number | null = null;
  private attempt = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private frameListeners = new Set<(frame: Frame) => void>();
  private statusListeners = new Set<(status: LiveStatus) => void>();
  status: LiveStatus = "connecting";

  constructor(private readonly options: Options) {}

  onFrame(listener: (frame: Frame) => void) {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void) {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Drops the socket as a network failure would (the next one replays what was missed). */
  drop() {
    this.ws?.close(4000);
  }

  private setStatus(status: LiveStatus) {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private url() {
    const { pubsubToken, accountId, userId } = this.options;
    const params = new URLSearchParams({
      pubsub_token: pubsubToken,
      account_id: String(accountId),
      user_id: String(userId),
    });
    if (this.lastId !== null) params.set("since", String(this.lastId));
    return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/cable?${params}`;
  }

  private connect() {
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus("live");
      // Bare clients are not pinged; a ping now and then keeps proxies from closing the socket.
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), 25_000);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== "string" || !e.data.startsWith("{")) return;
      let frame: Frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (typeof frame.id === "number") {
        if (this.lastId !== null && frame.id <= this.lastId) return; // already handled
        this.lastId = frame.id;
      }
      if (frame.event === "replay.truncated" && typeof frame.data?.last_event_id === "number")
        this.lastId = frame.data.last_event_id;
      for (const listener of this.frameListeners) listener(frame);
    };
    ws.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws || this.stopped) return;
      this.setStatus("reconnecting");
      const delay = Math.min(15_000, 500 * 2 ** this.attempt++);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }
}
