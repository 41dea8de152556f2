import { fromBase64, hmacSha256, toBase64, toHex } from "../lib/crypto";

/**
 * The key Standard Webhooks libraries derive from a `whsec_<base64>` secret: the decoded bytes.
 * Chatwoot receivers instead use the secret string exactly as shown; both come from one secret.
 */
function standardKey(secret: string): Uint8Array {
  try {
    return fromBase64(secret.replace(/^whsec_/, ""));
  } catch {
    return new TextEncoder().encode(secret);
  }
}

/**
 * Headers for one delivery attempt, signed with every secret in force (the current one first;
 * during a rotation the previous one too):
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> v1,<base64>`
 *   over `{id}.{timestamp}.{body}`;
 * - Chatwoot: `X-Chatwoot-Signature: sha256=<hex>` over `{timestamp}.{body}`, `X-Chatwoot-Timestamp`,
 *   `X-Chatwoot-Delivery`; the previous secret's signature goes in `X-Konversio-Previous-Signature`.
 */
export async function signedHeaders(secrets: string[], id: string, timestamp: number, body: string) {
  const standard = await Promise.all(
    secrets.map(async (s) => `v1,${toBase64(await hmacSha256(standardKey(s), `${id}.${timestamp}.${body}`))}`),
  );
  const chatwoot = await Promise.all(
    secrets.map(async (s) => `sha256=${toHex(await hmacSha256(s, `${timestamp}.${body}`))}`),
  );
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    "user-agent": "Konversio-Webhooks/1.0",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": standard.join(" "),
    "x-chatwoot-delivery": id,
    "x-chatwoot-timestamp": String(timestamp),
    "x-chatwoot-signature": chatwoot[0],
  };
  if (chatwoot[1]) headers["x-konversio-previous-signature"] = chatwoot[1];
  return headers;
}

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
export function secretsInForce(
  t: { secret: string; previousSecret: string | null; previousSecretExpiresAt: number | null },
  now = Date.now(),
) {
  return t.previousSecret && (t.previousSecretExpiresAt ?? 0) > now ? [t.secret, t.previousSecret] : [t.secret];
}
