import { z } from "@hono/zod-openapi";
import { unprocessable } from "../lib/errors";

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type WebhookUrlEnv = { ALLOW_PRIVATE_WEBHOOK_URLS?: string };

type Check = { ok: true; url: string } | { ok: false; message: string };

/**
 * An IPv4 address in any form `inet_aton` accepts (`127.0.0.1`, `127.1`, `2130706433`,
 * `0x7f000001`, `0177.0.0.1`) as a 32-bit number, or null for a name. The WHATWG URL parser
 * already rewrites these to dotted decimal; parsing them again costs nothing and does not
 * depend on that.
 */
export function parseIPv4(host: string): number | null {
  const parts = host.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^\d+$/.test(part)) value = Number(part);
    else return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255) || last >= 256 ** (4 - values.length)) return null;
  return values.reduce((n, v, i) => n + v * 256 ** (3 - i), 0) + last;
}

/** Eight 16-bit groups of an IPv6 literal (with or without brackets), or null. */
export function parseIPv6(literal: string): number[] | null {
  let text = literal.replace(/^\[|\]$/g, "").toLowerCase();
  if (!text.includes(":") || text.includes("%")) return null;
  // A dotted IPv4 tail (`::ffff:127.0.0.1`) becomes two hex groups.
  const tail = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (tail) {
    const v4 = /^(\d{1,3}\.){3}\d{1,3}$/.test(tail[2]) ? parseIPv4(tail[2]) : null;
    if (v4 === null) return null;
    text = `${tail[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

const inRange = (ip: number, base: string, bits: number) =>
  bits === 0 || ip >>> (32 - bits) === parseIPv4(base)! >>> (32 - bits);

/** Not a public unicast IPv4 address: this network, private, loopback, link-local, CGNAT, multicast, reserved. */
export function isPrivateIPv4(ip: number): boolean {
  return [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.168.0.0", 16],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ].some(([base, bits]) => inRange(ip, base as string, bits as number));
}

/** Not a public unicast IPv6 address; IPv4 embedded in it (mapped, compatible, NAT64) is judged as IPv4. */
export function isPrivateIPv6(g: number[]): boolean {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const embedded = () => isPrivateIPv4(g[6] * 0x10000 + g[7]);
  if (zeros(0, 8)) return true; // ::
  if (zeros(0, 7) && g[7] === 1) return true; // ::1
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80 || (g[0] & 0xffc0) === 0xfec0) return true; // link-local, old site-local
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(); // ::ffff:a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return embedded(); // ::ffff:0:a.b.c.d
  if (zeros(0, 6)) return embedded(); // ::a.b.c.d (deprecated IPv4-compatible)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embedded(); // 64:ff9b::/96 NAT64
  return false;
}

/** Whether a URL host names this machine or a private network (literals and `localhost` only). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host.startsWith("[") || host.includes(":")) {
    const groups = parseIPv6(host);
    // An IPv6 literal we cannot read is refused rather than trusted.
    return groups === null || isPrivateIPv6(groups);
  }
  const v4 = parseIPv4(host);
  return v4 !== null && isPrivateIPv4(v4);
}

/**
 * Checks a webhook URL and returns it normalised (as the URL parser writes it: lower-case
 * host, dotted-decimal IPv4, default path `/`). `allowPrivate` skips only the address rule.
 */
export function checkWebhookUrl(raw: string, opts: { allowPrivate: boolean }): Check {
  const input = raw.trim();
  if (input.length > MAX_WEBHOOK_URL_LENGTH) return { ok: false, message: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, message: /^https?:/i.test(input) ? "must be a valid URL" : "must be an http(s) URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, message: "must be an http(s) URL" };
  if (url.username !== "" || url.password !== "") return { ok: false, message: "must not contain a user name or password" };
  if (!opts.allowPrivate && isPrivateHost(url.hostname))
    return { ok: false, message: "must not point at a private, loopback or link-local address" };
  const href = url.href;
  if (href.length > MAX_WEBHOOK_URL_LENGTH) return { ok: false, message: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  return { ok: true, url: href };
}

/**
 * The normalised URL, or a 422 naming `field`. Private, loopback and link-local hosts are
 * refused unless `ALLOW_PRIVATE_WEBHOOK_URLS` is "true" (local development). Only literals and
 * `localhost` names can be judged here; a public name that resolves to a private address is
 * left to the runtime, whose outbound fetch does not reach private networks in production.
 */
export function validateWebhookUrl(url: string, env: WebhookUrlEnv, field = "url"): string {
  const result = checkWebhookUrl(url, { allowPrivate: env.ALLOW_PRIVATE_WEBHOOK_URLS === "true" });
  if (!result.ok) throw unprocessable(`Validation failed: ${field}: ${result.message}`, [{ field, message: result.message }]);
  return result.url;
}

/**
 * A webhook URL field: every rule that does not depend on the environment, so the errors
 * come back together with the body's other ones. Services still call `validateWebhookUrl`.
 */
export const zWebhookUrl = z
  .string()
  .transform((value, ctx) => {
    const result = checkWebhookUrl(value, { allowPrivate: true });
    if (result.ok) return result.url;
    ctx.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  })
  .describe("An http(s) URL; private, loopback and link-local addresses are refused in production");
