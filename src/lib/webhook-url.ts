import { z } from "@hono/zod-openapi";
import { unprocessable } from "./errors";

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

/**
 * A row of an address table. An address is judged by the longest prefix that contains it, so a
 * narrower row overrides a wider one.
 */
export type AddressBlock = {
  readonly prefix: string;
  readonly bits: number;
  readonly name: string;
  /** The registry marks the block globally reachable: accepted, even inside a refused block. */
  readonly global?: true;
  /** Bit offset of an IPv4 address the block carries; that address is judged instead. */
  readonly ipv4At?: number;
};

/**
 * The IANA IPv4 Special-Purpose Address Registry (as of 2025-10), plus multicast from the IPv4
 * Multicast Address Space registry. Rows the registry marks globally reachable are kept, marked
 * `global`, so the table can be checked against the registry row by row; 192.0.0.9 and
 * 192.0.0.10 need the mark to stay reachable inside 192.0.0.0/24. 192.88.99.0/24 lost its
 * reachability columns when RFC 7526 deprecated 6to4 relays, and is refused.
 */
export const IANA_IPV4_SPECIAL_PURPOSE: readonly AddressBlock[] = [
  { prefix: "0.0.0.0", bits: 8, name: '"This network"' },
  { prefix: "0.0.0.0", bits: 32, name: '"This host on this network"' },
  { prefix: "10.0.0.0", bits: 8, name: "Private-Use" },
  { prefix: "100.64.0.0", bits: 10, name: "Shared Address Space" },
  { prefix: "127.0.0.0", bits: 8, name: "Loopback" },
  { prefix: "169.254.0.0", bits: 16, name: "Link Local" },
  { prefix: "172.16.0.0", bits: 12, name: "Private-Use" },
  { prefix: "192.0.0.0", bits: 24, name: "IETF Protocol Assignments" },
  { prefix: "192.0.0.0", bits: 29, name: "IPv4 Service Continuity Prefix" },
  { prefix: "192.0.0.8", bits: 32, name: "IPv4 dummy address" },
  { prefix: "192.0.0.9", bits: 32, name: "Port Control Protocol Anycast", global: true },
  { prefix: "192.0.0.10", bits: 32, name: "Traversal Using Relays around NAT Anycast", global: true },
  { prefix: "192.0.0.170", bits: 32, name: "NAT64/DNS64 Discovery" },
  { prefix: "192.0.0.171", bits: 32, name: "NAT64/DNS64 Discovery" },
  { prefix: "192.0.2.0", bits: 24, name: "Documentation (TEST-NET-1)" },
  { prefix: "192.31.196.0", bits: 24, name: "AS112-v4", global: true },
  { prefix: "192.52.193.0", bits: 24, name: "AMT", global: true },
  { prefix: "192.88.99.0", bits: 24, name: "Deprecated (6to4 Relay Anycast)" },
  { prefix: "192.88.99.2", bits: 32, name: "6a44-relay anycast address" },
  { prefix: "192.168.0.0", bits: 16, name: "Private-Use" },
  { prefix: "192.175.48.0", bits: 24, name: "Direct Delegation AS112 Service", global: true },
  { prefix: "198.18.0.0", bits: 15, name: "Benchmarking" },
  { prefix: "198.51.100.0", bits: 24, name: "Documentation (TEST-NET-2)" },
  { prefix: "203.0.113.0", bits: 24, name: "Documentation (TEST-NET-3)" },
  { prefix: "224.0.0.0", bits: 4, name: "Multicast" },
  { prefix: "240.0.0.0", bits: 4, name: "Reserved" },
  { prefix: "255.255.255.255", bits: 32, name: "Limited Broadcast" },
];

/**
 * The IANA IPv6 Special-Purpose Address Registry (as of 2025-10), inside a default from the IPv6
 * Address Space registry: only 2000::/3 is allocated as global unicast, so everything outside it
 * is refused unless a row says otherwise. Also listed: multicast, the deprecated site-local and
 * IPv4-compatible blocks, and SIIT's IPv4-translated form, which carries an IPv4 address like
 * the mapped one. Where an IPv6 address carries an IPv4 one the stack may deliver to, that IPv4
 * address decides: a 6to4 address of 127.0.0.1 is loopback. Teredo (2001::/32) is not decoded:
 * it reaches its IPv4 client through relays, and is refused with the rest of 2001::/23, whose
 * globally reachable sub-blocks stay accepted.
 */
export const IANA_IPV6_SPECIAL_PURPOSE: readonly AddressBlock[] = [
  { prefix: "::", bits: 0, name: "Outside Global Unicast (2000::/3)" },
  { prefix: "2000::", bits: 3, name: "Global Unicast", global: true },
  { prefix: "::", bits: 128, name: "Unspecified Address" },
  { prefix: "::1", bits: 128, name: "Loopback Address" },
  { prefix: "::", bits: 96, name: "IPv4-compatible Address (deprecated)", ipv4At: 96 },
  { prefix: "::ffff:0:0", bits: 96, name: "IPv4-mapped Address", ipv4At: 96 },
  { prefix: "::ffff:0:0:0", bits: 96, name: "IPv4-translated Address (SIIT)", ipv4At: 96 },
  { prefix: "64:ff9b::", bits: 96, name: "IPv4-IPv6 Translat.", ipv4At: 96 },
  { prefix: "64:ff9b:1::", bits: 48, name: "IPv4-IPv6 Translat. (local use)" },
  { prefix: "100::", bits: 64, name: "Discard-Only Address Block" },
  { prefix: "100:0:0:1::", bits: 64, name: "Dummy IPv6 Prefix" },
  { prefix: "2001::", bits: 23, name: "IETF Protocol Assignments" },
  { prefix: "2001::", bits: 32, name: "TEREDO" },
  { prefix: "2001:1::1", bits: 128, name: "Port Control Protocol Anycast", global: true },
  { prefix: "2001:1::2", bits: 128, name: "Traversal Using Relays around NAT Anycast", global: true },
  { prefix: "2001:1::3", bits: 128, name: "DNS-SD Service Registration Protocol Anycast", global: true },
  { prefix: "2001:2::", bits: 48, name: "Benchmarking" },
  { prefix: "2001:3::", bits: 32, name: "AMT", global: true },
  { prefix: "2001:4:112::", bits: 48, name: "AS112-v6", global: true },
  { prefix: "2001:10::", bits: 28, name: "Deprecated (previously ORCHID)" },
  { prefix: "2001:20::", bits: 28, name: "ORCHIDv2", global: true },
  { prefix: "2001:30::", bits: 28, name: "Drone Remote ID Protocol Entity Tags (DETs) Prefix", global: true },
  { prefix: "2001:db8::", bits: 32, name: "Documentation" },
  { prefix: "2002::", bits: 16, name: "6to4", ipv4At: 16 },
  { prefix: "2620:4f:8000::", bits: 48, name: "Direct Delegation AS112 Service", global: true },
  { prefix: "3fff::", bits: 20, name: "Documentation" },
  { prefix: "5f00::", bits: 16, name: "Segment Routing (SRv6) SIDs" },
  { prefix: "fc00::", bits: 7, name: "Unique-Local" },
  { prefix: "fe80::", bits: 10, name: "Link-Local Unicast" },
  { prefix: "fec0::", bits: 10, name: "Site-Local (deprecated)" },
  { prefix: "ff00::", bits: 8, name: "Multicast" },
];

type Table = { rows: readonly (AddressBlock & { base: bigint })[]; width: bigint };

const ipv6ToBigInt = (groups: number[]) => groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);

// A typo in a table must stop the Worker from starting, not quietly widen or narrow a block.
function compile(rows: readonly AddressBlock[], width: number, parse: (prefix: string) => bigint | null): Table {
  return {
    width: BigInt(width),
    rows: rows.map((row) => {
      const base = parse(row.prefix);
      const hostMask = (1n << BigInt(width - row.bits)) - 1n;
      if (base === null || row.bits < 0 || row.bits > width || (base & hostMask) !== 0n)
        throw new Error(`bad address block ${row.prefix}/${row.bits}`);
      return { ...row, base };
    }),
  };
}

const IPV4 = compile(IANA_IPV4_SPECIAL_PURPOSE, 32, (p) => {
  const ip = /^(\d{1,3}\.){3}\d{1,3}$/.test(p) ? parseIPv4(p) : null;
  return ip === null ? null : BigInt(ip);
});
const IPV6 = compile(IANA_IPV6_SPECIAL_PURPOSE, 128, (p) => {
  const groups = parseIPv6(p);
  return groups === null ? null : ipv6ToBigInt(groups);
});

function longestMatch({ rows, width }: Table, address: bigint) {
  let best: Table["rows"][number] | undefined;
  for (const row of rows) {
    const shift = width - BigInt(row.bits);
    if (address >> shift === row.base >> shift && (best === undefined || row.bits > best.bits)) best = row;
  }
  return best;
}

/** Whether an IPv4 address falls in a block of the IPv4 table that is not globally reachable. */
export function isPrivateIPv4(ip: number): boolean {
  const block = longestMatch(IPV4, BigInt(ip));
  return block !== undefined && block.global !== true;
}

/** The same for IPv6 (eight 16-bit groups); an IPv4 address carried inside is judged as IPv4. */
export function isPrivateIPv6(groups: number[]): boolean {
  const address = ipv6ToBigInt(groups);
  const block = longestMatch(IPV6, address);
  if (block === undefined) return false;
  if (block.ipv4At !== undefined) return isPrivateIPv4(Number((address >> BigInt(96 - block.ipv4At)) & 0xffffffffn));
  return block.global !== true;
}

/**
 * Whether a URL host is `localhost` or an address literal the tables above refuse. Other names
 * are not resolved: what they point at is only known at delivery time.
 */
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
  if (input.length > MAX_WEBHOOK_URL_LENGTH)
    return { ok: false, message: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, message: /^https?:/i.test(input) ? "must be a valid URL" : "must be an http(s) URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, message: "must be an http(s) URL" };
  if (url.username !== "" || url.password !== "")
    return { ok: false, message: "must not contain a user name or password" };
  if (!opts.allowPrivate && isPrivateHost(url.hostname))
    return { ok: false, message: "must not point at a private, loopback or link-local address" };
  const href = url.href;
  if (href.length > MAX_WEBHOOK_URL_LENGTH)
    return { ok: false, message: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  return { ok: true, url: href };
}

/**
 * The normalised URL, or a 422 naming `field`. Hosts that are not globally reachable are
 * refused unless `ALLOW_PRIVATE_WEBHOOK_URLS` is "true" (local development). Only literals and
 * `localhost` names can be judged here; a name that resolves to a private address is left to
 * where deliveries are sent from (see docs/webhooks.md, "URL rules").
 */
export function validateWebhookUrl(url: string, env: WebhookUrlEnv, field = "url"): string {
  const result = checkWebhookUrl(url, { allowPrivate: env.ALLOW_PRIVATE_WEBHOOK_URLS === "true" });
  if (!result.ok)
    throw unprocessable(`Validation failed: ${field}: ${result.message}`, [{ field, message: result.message }]);
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
