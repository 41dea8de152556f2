import { exports } from "cloudflare:workers";
import { vi } from "vitest";
import { testDb } from "./factories";
import { sql } from "drizzle-orm";

/** A realtime socket opened through the worker's fetch handler, recording every frame it gets. */
type CableClient = {
  ws: WebSocket;
  res: Response;
  /** Parsed JSON frames, in arrival order ("pong" and other text kept as strings). */
  frames: any[];
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  /** Frames with this event name (bare, or inside an ActionCable `message`). */
  events(name: string): any[];
  close(): void;
};

function client(res: Response): CableClient {
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status}`);
  ws.accept();
  const frames: any[] = [];
  ws.addEventListener("message", (ev) => {
    const text = typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
    try {
      frames.push(JSON.parse(text));
    } catch {
      frames.push(text);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (ev) => resolve({ code: ev.code, reason: ev.reason })),
  );
  const body = (f: any) => (f && typeof f === "object" && f.message && typeof f.message === "object" ? f.message : f);
  return {
    ws,
    res,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    events: (name) => frames.map(body).filter((f) => f?.event === name),
    close: () => {
      try {
        ws.close(1000, "done");
      } catch {
        /* already closed */
      }
    },
  };
}

/** The raw upgrade response for `/cable?<query>`. */
export function upgrade(query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const url = new URL("http://konversio.test/cable");
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return exports.default.fetch(new Request(url, { headers: { upgrade: "websocket", ...headers } }));
}

/** Opens `/cable?<query>` and returns the connected client (throws unless the upgrade succeeds). */
export async function connect(query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const res = await upgrade(query, headers);
  if (res.status !== 101) throw new Error(`expected 101, got ${res.status}: ${await res.text()}`);
  return client(res);
}

/** Waits until `check` holds (arrivals are asynchronous); returns what it returned. */
export const until = <T>(check: () => T | Promise<T>, timeout = 3000) =>
  vi.waitFor(
    async () => {
      const value = await check();
      if (!value) throw new Error(`still waiting for: ${check.toString().slice(0, 200)}`);
      return value;
    },
    { timeout, interval: 20 },
  );

/** A contact_inbox's pubsub token, read from the database. */
export async function contactPubsubToken(contactId: number, inboxId: number): Promise<string> {
  const rows = await testDb().all<{ pubsub_token: string }>(
    sql`select pubsub_token from contact_inboxes where contact_id = ${contactId} and inbox_id = ${inboxId}`,
  );
  if (!rows[0]) throw new Error("no contact_inbox");
  return rows[0].pubsub_token;
}

/** The account membership's stored availability. */
export async function availabilityOf(accountId: number, userId: number): Promise<string> {
  const rows = await testDb().all<{ availability: string }>(
    sql`select availability from account_users where account_id = ${accountId} and user_id = ${userId}`,
  );
  return rows[0]?.availability;
}

/** The ActionCable subscribe frame Chatwoot's widget sends. */
export const subscribeFrame = (params: Record<string, unknown>) => ({
  command: "subscribe",
  identifier: JSON.stringify({ channel: "RoomChannel", ...params }),
});
