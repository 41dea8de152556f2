import { createHmac, timingSafeEqual } from "node:crypto";

/** How long a link in an API response (or a realtime frame) works: an hour, give or take the rounding below. */
export const API_LINK_SECONDS = 60 * 60;
/**
 * How long a link in a webhook body works. A body is rendered once and every retry, every other
 * target and a later manual redelivery send the same bytes; retries run for about a day, so a week
 * leaves the receiver time to fetch the file.
 */
export const WEBHOOK_LINK_SECONDS = 7 * 24 * 60 * 60;
/**
 * Expiry times are rounded up to this step, so the same file shows the same URL for a few minutes
 * and a browser's cache can keep it instead of downloading it again on every refresh.
 */
const EXPIRY_STEP_SECONDS = 5 * 60;

/** What signed links are made of: the public base URL, the signing key and the expiry (unix seconds). */
export type AttachmentLinks = { origin: string; secret: string; expires: number };

/** No links at all: for JSON rendered without files (a conversation's last message, a deleted message). */
export const NO_LINKS: AttachmentLinks = { origin: "", secret: "", expires: 0 };

/**
 * Links that stay valid for `seconds` from `now` (milliseconds), rounded up to the step. Without a
 * secret (ATTACHMENT_URL_SECRET unset) links are still written, and the download refuses them all.
 */
export function attachmentLinks(
  origin: string,
  secret: string | undefined,
  seconds: number,
  now = Date.now(),
): AttachmentLinks {
  const expires = Math.ceil((Math.floor(now / 1000) + seconds) / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
  return { origin, secret: secret ?? "", expires };
}

/** hex(HMAC-SHA256(secret, "<account_id>/<key>/<expires>")): what a download link carries as `signature`. */
export const linkSignature = (secret: string, accountId: number | string, key: string, expires: number | string) =>
  createHmac("sha256", secret).update(`${accountId}/${key}/${expires}`).digest("hex");

/**
 * `<origin>/attachments/<account_id>/<key>/<file_name>?expires=…&signature=…`. The account id is in
 * the path so the download finds the account's database before it reads anything.
 */
export function signedUrl(links: AttachmentLinks, accountId: number, key: string, fileName: string): string {
  const signature = linkSignature(links.secret, accountId, key, links.expires);
  const path = `/attachments/${accountId}/${encodeURIComponent(key)}/${encodeURIComponent(fileName)}`;
  return `${links.origin}${path}?expires=${links.expires}&signature=${signature}`;
}

const encoder = new TextEncoder();

/**
 * Whether a download link is one this secret signed and has not expired (`now` in milliseconds).
 * Compared in constant time; without a secret nothing is valid.
 */
export function linkValid(
  secret: string | undefined,
  link: { accountId: string; key: string; expires: string | undefined; signature: string | undefined },
  now = Date.now(),
): boolean {
  if (!secret || !link.expires || !link.signature) return false;
  if (!/^\d{1,15}$/.test(link.accountId) || !/^\d{1,12}$/.test(link.expires)) return false;
  if (Number(link.expires) * 1000 <= now) return false;
  const expected = encoder.encode(linkSignature(secret, link.accountId, link.key, link.expires));
  const given = encoder.encode(link.signature.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
