// The soak's webhook receiver, on 127.0.0.1 in the soak's own process. Each inbox posts to
// `/inbox/<n>`; every request's Standard Webhooks signature is checked with that inbox's
// secret. While "down" it answers 503 (with Retry-After) or refuses connections.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

export async function startReceiver() {
  const secrets = new Map(); // inbox path index -> whsec_ secret
  /** message id -> { event, messageType, webhookIds: Set, receipts, firstAt } for message_created */
  const messages = new Map();
  const stats = { received: 0, badSignatures: 0, refusedWhileDown: 0, byEvent: {} };
  const seenIds = new Set();
  let repeats = 0;
  let mode = "up"; // "up" | "503" | "refuse"
  let retryAfterSeconds = 0;

  const verified = (inbox, headers, body) => {
    const secret = secrets.get(inbox);
    if (!secret) return false;
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key)
      .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
      .digest();
    return (headers["webhook-signature"] ?? "").split(" ").some((entry) => {
      const [version, sig] = entry.split(",");
      const given = Buffer.from(sig ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (mode !== "up") {
        stats.refusedWhileDown++;
        res
          .writeHead(503, retryAfterSeconds ? { "retry-after": String(retryAfterSeconds) } : {})
          .end("down for the soak");
        return;
      }
      const at = Date.now();
      const text = Buffer.concat(chunks).toString("utf8");
      const inbox = Number(req.url?.match(/^\/inbox\/(\d+)/)?.[1]);
      if (!verified(inbox, req.headers, text)) {
        stats.badSignatures++;
        res.writeHead(401).end("bad signature");
        return;
      }
      res.writeHead(200).end("ok");
      stats.received++;
      const id = req.headers["webhook-id"];
      if (seenIds.has(id)) repeats++;
      seenIds.add(id);
      const body = JSON.parse(text);
      stats.byEvent[body.event] = (stats.byEvent[body.event] ?? 0) + 1;
      if (body.event !== "message_created") return;
      const entry = messages.get(body.id) ?? {
        messageType: body.message_type,
        webhookIds: new Set(),
        receipts: 0,
        firstAt: at,
      };
      entry.webhookIds.add(id);
      entry.receipts++;
      messages.set(body.id, entry);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;

  return {
    url: `http://127.0.0.1:${port}`,
    secrets,
    messages,
    stats,
    /** Receipts of a webhook-id already received (at-least-once repeats). */
    repeats: () => repeats,
    distinctWebhookIds: () => seenIds.size,
    /** "503" answers 503 with `Retry-After: retryAfter`; "refuse" closes the listening socket. */
    async down(how, retryAfter = 0) {
      retryAfterSeconds = retryAfter;
      mode = how;
      if (how === "refuse") {
        const closed = new Promise((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
    },
    async up() {
      if (mode === "refuse") await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
      mode = "up";
    },
    async close() {
      if (mode === "refuse") return;
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
