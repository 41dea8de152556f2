// A Konversio webhook receiver with no dependencies (Node 20 or later). It checks both
// signatures with Web Crypto, refuses stale timestamps, ignores repeated deliveries and prints
// one line per event.
//
//   WEBHOOK_SECRET=whsec_... node examples/webhook-receiver/receiver.mjs     (PORT, default 4000)
import { createServer } from "node:http";

const SECRET = process.env.WEBHOOK_SECRET ?? "";
const PORT = Number(process.env.PORT || 4000);
const TOLERANCE_SECONDS = 5 * 60;

if (!SECRET.startsWith("whsec_")) {
  console.error("Set WEBHOOK_SECRET to the whsec_... secret the API shows for the inbox or webhook.");
  process.exit(1);
}

const utf8 = new TextEncoder();
const hmacKey = (bytes) => crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
// Standard Webhooks signs with the bytes the base64 after "whsec_" stands for;
// Chatwoot's header with the whole secret string, "whsec_" included.
const standardKey = await hmacKey(Buffer.from(SECRET.slice("whsec_".length), "base64"));
const chatwootKey = await hmacKey(utf8.encode(SECRET));
// subtle.verify compares in constant time.
const verify = (key, signature, text) => crypto.subtle.verify("HMAC", key, signature, utf8.encode(text));

/** `webhook-signature: v1,<base64> [v1,<base64>]` over "{webhook-id}.{webhook-timestamp}.{body}". */
async function standardSignatureOk(h, body) {
  const signed = `${h["webhook-id"]}.${h["webhook-timestamp"]}.${body}`;
  for (const entry of (h["webhook-signature"] ?? "").split(" ")) {
    const [version, signature] = entry.split(",");
    if (version === "v1" && signature && (await verify(standardKey, Buffer.from(signature, "base64"), signed))) return true;
  }
  return false;
}

/** `X-Chatwoot-Signature: sha256=<hex>` over "{timestamp}.{body}" (during a secret rotation the
 * previous secret's signature is in `X-Konversio-Previous-Signature`). */
async function chatwootSignatureOk(h, body) {
  const signed = `${h["x-chatwoot-timestamp"]}.${body}`;
  for (const header of [h["x-chatwoot-signature"], h["x-konversio-previous-signature"]]) {
    const hex = /^sha256=([0-9a-f]{64})$/.exec(header ?? "")?.[1];
    if (hex && (await verify(chatwootKey, Buffer.from(hex, "hex"), signed))) return true;
  }
  return false;
}

const fresh = (timestamp) => Math.abs(Date.now() / 1000 - Number(timestamp)) <= TOLERANCE_SECONDS;

// Deliveries are at least once: the same event can come again (same webhook-id) after a
// timeout or a redeliver. A real receiver keeps these ids in its database.
const seen = new Set();
function firstTime(id) {
  if (seen.has(id)) return false;
  seen.add(id);
  if (seen.size > 10_000) seen.delete(seen.values().next().value);
  return true;
}

/** Why a request is refused, or null when both signatures and the timestamps check out. */
async function rejection(h, body) {
  if (!fresh(h["webhook-timestamp"]) || !fresh(h["x-chatwoot-timestamp"])) return "timestamp missing or more than 5 minutes off";
  if (!(await standardSignatureOk(h, body))) return "bad webhook-signature";
  if (!(await chatwootSignatureOk(h, body))) return "bad X-Chatwoot-Signature";
  return null;
}

const quote = (text, max = 60) => JSON.stringify(text && text.length > max ? `${text.slice(0, max - 3)}...` : (text ?? ""));

/** One readable line per event. */
function describe(e) {
  const seq = `(seq ${e.sequence})`;
  switch (e.event) {
    case "message_created":
    case "message_updated": {
      const kind = e.private ? `${e.message_type} private note` : e.message_type;
      const status = e.status === "failed" ? ` [failed: ${e.content_attributes?.external_error}]` : "";
      return `${e.event} #${e.id} conversation ${e.conversation?.id} ${seq} ${kind}: ${quote(e.content)}${status}`;
    }
    case "conversation_typing_on":
    case "conversation_typing_off":
      return `${e.event} conversation ${e.conversation?.id} ${seq} by ${e.user?.name}`;
    case "contact_created":
    case "contact_updated":
    case "inbox_created":
    case "inbox_updated":
      return `${e.event} #${e.id} ${seq} ${quote(e.name)}`;
    default: {
      // conversation_created, conversation_status_changed, conversation_updated
      const changed = e.changed_attributes?.flatMap(Object.keys) ?? [];
      return `${e.event} conversation ${e.id} ${seq} ${e.status}${changed.length ? `, changed: ${changed.join(", ")}` : ""}`;
    }
  }
}

createServer(async (req, res) => {
  if (req.method !== "POST") return res.writeHead(405).end();
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString("utf8");
  const h = req.headers;

  const problem = await rejection(h, body);
  if (problem) {
    console.error(`rejected ${h["webhook-id"] ?? "a request"}: ${problem}`);
    return res.writeHead(401).end();
  }

  // Answer at once; slow work belongs in a queue of your own (Konversio waits 10 s at most).
  res.writeHead(200).end();
  if (firstTime(h["webhook-id"])) console.log(describe(JSON.parse(body)));
}).listen(PORT, "127.0.0.1", () => console.log(`Webhook receiver listening on http://127.0.0.1:${PORT}/`));
