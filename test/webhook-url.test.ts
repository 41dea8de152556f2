import { describe, expect, it } from "vitest";
import { AppError } from "../src/lib/errors";
import {
  type AddressBlock,
  checkWebhookUrl,
  IANA_IPV4_SPECIAL_PURPOSE,
  IANA_IPV6_SPECIAL_PURPOSE,
  isPrivateHost,
  parseIPv4,
  parseIPv6,
  validateWebhookUrl,
} from "../src/lib/webhook-url";

const production = { ALLOW_PRIVATE_WEBHOOK_URLS: "false" };
const development = { ALLOW_PRIVATE_WEBHOOK_URLS: "true" };

function refusal(url: string, env: { ALLOW_PRIVATE_WEBHOOK_URLS?: string } = production, field?: string): AppError {
  try {
    validateWebhookUrl(url, env, field);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`${url} was accepted`);
}

const PRIVATE = "must not point at a private, loopback or link-local address";

describe("validateWebhookUrl: accepted and normalised", () => {
  it.each([
    ["https://hooks.example.com/k", "https://hooks.example.com/k"],
    ["  https://hooks.example.com/k  ", "https://hooks.example.com/k"],
    ["HTTPS://Hooks.Example.COM", "https://hooks.example.com/"],
    ["http://example.com:8080/a?b=c#frag", "http://example.com:8080/a?b=c#frag"],
    ["https://8.8.8.8/hook", "https://8.8.8.8/hook"],
    ["https://[2606:4700:4700::1111]/hook", "https://[2606:4700:4700::1111]/hook"],
    ["https://172.32.0.1/", "https://172.32.0.1/"],
    ["https://100.128.0.1/", "https://100.128.0.1/"],
    ["https://192.169.0.1/", "https://192.169.0.1/"],
    ["https://localhost.example.com/", "https://localhost.example.com/"],
    ["https://mylocalhost/", "https://mylocalhost/"],
    ["https://münchen.example/", "https://xn--mnchen-3ya.example/"],
  ])("%s → %s", (input, normalised) => {
    expect(validateWebhookUrl(input, production)).toBe(normalised);
  });

  it("treats a missing variable like production", () => {
    expect(refusal("http://127.0.0.1/", {}).details).toEqual([{ field: "url", message: PRIVATE }]);
  });
});

describe("validateWebhookUrl: malformed", () => {
  it.each([
    ["ftp://files.example.com", "must be an http(s) URL"],
    ["javascript:alert(1)", "must be an http(s) URL"],
    ["file:///etc/passwd", "must be an http(s) URL"],
    ["ws://example.com/socket", "must be an http(s) URL"],
    ["not a url", "must be an http(s) URL"],
    ["", "must be an http(s) URL"],
    ["/relative/path", "must be an http(s) URL"],
    ["http://", "must be a valid URL"],
    ["http://exa mple.com/", "must be a valid URL"],
    ["http://999.1.1.1/", "must be a valid URL"],
    ["https://user:pass@example.com/", "must not contain a user name or password"],
    ["https://user@example.com/", "must not contain a user name or password"],
    ["https://:secret@example.com/", "must not contain a user name or password"],
    [`https://example.com/${"a".repeat(2030)}`, "must be at most 2048 characters"],
  ])("%s is refused: %s", (url, message) => {
    const err = refusal(url, development);
    expect(err.status).toBe(422);
    expect(err.code).toBe("UNPROCESSABLE_ENTITY");
    expect(err.details).toEqual([{ field: "url", message }]);
    expect(err.message).toBe(`Validation failed: url: ${message}`);
  });

  it("counts the length after normalisation (percent-encoding can grow a URL)", () => {
    const url = `https://example.com/${"é".repeat(700)}`;
    expect(url.length).toBeLessThan(2048);
    expect(refusal(url, development).details[0].message).toBe("must be at most 2048 characters");
    expect(validateWebhookUrl(`https://example.com/${"a".repeat(2020)}`, production)).toHaveLength(2040);
  });

  it("names the field it was given", () => {
    expect(refusal("ftp://x.test", production, "channel.webhook_url").details).toEqual([
      { field: "channel.webhook_url", message: "must be an http(s) URL" },
    ]);
  });
});

describe("validateWebhookUrl: private addresses", () => {
  const privateUrls = [
    // names
    "http://localhost/",
    "http://LOCALHOST:3000/hook",
    "http://localhost./",
    "http://api.localhost/",
    "http://a.b.localhost./",
    // integer, hex, octal and short IPv4 forms
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7F.0.0.1/",
    "http://0177.0.0.1/",
    "http://017700000001/",
    "http://127.1/",
    "http://127.0.1/",
    "http://0/",
    "http://167772161/",
    "http://3232235777/",
    "http://127.0.0.1./",
    "http://%31%32%37.0.0.1/",
    "http://０x7f000001/",
    "http://3221225985/", // 192.0.2.1
    // IPv6 spellings
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[0000:0000:0000:0000:0000:0000:0000:0001]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::FFFF:7F00:1]/",
    "http://[2002:7f00:0001:0000:0000:0000:0000:0000]/",
    // the security finding
    "http://[2002:7f00:1::]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://192.0.0.1/",
    "http://192.0.2.1/",
    "http://198.18.0.1/",
    "http://198.51.100.1/",
    "http://203.0.113.1/",
    "http://[2001:db8::1]/",
    "http://[100::1]/",
  ];

  it.each(privateUrls)("%s is refused in production and allowed in development", (url) => {
    const err = refusal(url);
    expect(err.status).toBe(422);
    expect(err.details).toEqual([{ field: "url", message: PRIVATE }]);
    expect(checkWebhookUrl(url, { allowPrivate: true }).ok).toBe(true);
    expect(() => validateWebhookUrl(url, development)).not.toThrow();
  });

  it("accepts public IPv4 carried in 6to4, NAT64, mapped and compatible IPv6", () => {
    for (const url of [
      "http://[2002:0808:0808::]/",
      "http://[2002:808:808::1]/",
      "http://[2002:0101:0101:1::1]/",
      "http://[64:ff9b::8.8.8.8]/",
      "http://[64:ff9b::808:808]/",
      "http://[::ffff:8.8.8.8]/",
      "http://[::ffff:0:8.8.8.8]/",
      "http://[::8.8.8.8]/",
      "http://[2002:c000:9::]/", // 192.0.0.9, globally reachable
    ]) {
      expect(validateWebhookUrl(url, production), url).toMatch(/^http:\/\/\[/);
    }
  });
});

/**
 * Hand-written examples for every row of both tables, independent of the tables' own numbers:
 * addresses inside a block and, where the neighbour is public, the first ones past its edges.
 */
const examples: Record<string, { refused?: string[]; accepted?: string[] }> = {
  // IPv4
  "0.0.0.0/8": { refused: ["0.1.2.3", "0.255.255.255"], accepted: ["1.0.0.0"] },
  "0.0.0.0/32": { refused: ["0.0.0.0"] },
  "10.0.0.0/8": { refused: ["10.0.0.0", "10.255.255.255"], accepted: ["9.255.255.255", "11.0.0.0"] },
  "100.64.0.0/10": {
    refused: ["100.64.0.0", "100.100.100.200", "100.127.255.255"],
    accepted: ["100.63.255.255", "100.128.0.0"],
  },
  "127.0.0.0/8": { refused: ["127.0.0.1", "127.255.255.255"], accepted: ["126.255.255.255", "128.0.0.0"] },
  "169.254.0.0/16": { refused: ["169.254.169.254", "169.254.0.0"], accepted: ["169.253.255.255", "169.255.0.0"] },
  "172.16.0.0/12": { refused: ["172.16.0.0", "172.31.255.255"], accepted: ["172.15.255.255", "172.32.0.0"] },
  "192.0.0.0/24": { refused: ["192.0.0.11", "192.0.0.255"], accepted: ["191.255.255.255", "192.0.1.0"] },
  "192.0.0.0/29": { refused: ["192.0.0.0", "192.0.0.1", "192.0.0.7"] },
  "192.0.0.8/32": { refused: ["192.0.0.8"] },
  "192.0.0.9/32": { accepted: ["192.0.0.9"] },
  "192.0.0.10/32": { accepted: ["192.0.0.10"] },
  "192.0.0.170/32": { refused: ["192.0.0.170"] },
  "192.0.0.171/32": { refused: ["192.0.0.171"] },
  "192.0.2.0/24": { refused: ["192.0.2.0", "192.0.2.1", "192.0.2.255"], accepted: ["192.0.1.255", "192.0.3.0"] },
  "192.31.196.0/24": { accepted: ["192.31.196.1"] },
  "192.52.193.0/24": { accepted: ["192.52.193.1"] },
  "192.88.99.0/24": { refused: ["192.88.99.1", "192.88.99.255"], accepted: ["192.88.98.255", "192.88.100.0"] },
  "192.88.99.2/32": { refused: ["192.88.99.2"] },
  "192.168.0.0/16": { refused: ["192.168.1.10", "192.168.255.255"], accepted: ["192.167.255.255", "192.169.0.0"] },
  "192.175.48.0/24": { accepted: ["192.175.48.1"] },
  "198.18.0.0/15": { refused: ["198.18.0.1", "198.19.255.255"], accepted: ["198.17.255.255", "198.20.0.0"] },
  "198.51.100.0/24": { refused: ["198.51.100.7", "198.51.100.255"], accepted: ["198.51.99.255", "198.51.101.0"] },
  "203.0.113.0/24": { refused: ["203.0.113.9", "203.0.113.255"], accepted: ["203.0.112.255", "203.0.114.0"] },
  "224.0.0.0/4": { refused: ["224.0.0.1", "239.255.255.255"], accepted: ["223.255.255.255"] },
  "240.0.0.0/4": { refused: ["240.0.0.1", "255.255.255.254"] },
  "255.255.255.255/32": { refused: ["255.255.255.255"] },
  // IPv6
  "::/0": { refused: ["[1fff:ffff::1]", "[4000::1]", "[8000::1]", "[fbff::1]", "[fe00::1]", "[100:0:0:2::1]"] },
  "2000::/3": { accepted: ["[2000::1]", "[2606:4700:4700::1111]", "[2a00:1450::1]", "[3ffe::1]"] },
  "::/128": { refused: ["[::]"] },
  "::1/128": { refused: ["[::1]"] },
  "::/96": { refused: ["[::127.0.0.1]", "[::a9fe:a9fe]", "[::10.0.0.1]", "[::2]"], accepted: ["[::8.8.8.8]"] },
  "::ffff:0:0/96": {
    refused: [
      "[::ffff:127.0.0.1]",
      "[::ffff:7f00:1]",
      "[::ffff:10.1.2.3]",
      "[::ffff:169.254.169.254]",
      "[::ffff:192.0.2.1]",
    ],
    accepted: ["[::ffff:8.8.8.8]", "[::ffff:1.1.1.1]"],
  },
  "::ffff:0:0:0/96": { refused: ["[::ffff:0:127.0.0.1]", "[::ffff:0:a9fe:a9fe]"], accepted: ["[::ffff:0:8.8.8.8]"] },
  "64:ff9b::/96": {
    refused: ["[64:ff9b::7f00:1]", "[64:ff9b::192.168.0.1]", "[64:ff9b::169.254.169.254]", "[64:ff9b::198.51.100.1]"],
    accepted: ["[64:ff9b::8.8.8.8]"],
  },
  "64:ff9b:1::/48": { refused: ["[64:ff9b:1::1]", "[64:ff9b:1::8.8.8.8]", "[64:ff9b:1:ffff:ffff:ffff:ffff:ffff]"] },
  "100::/64": { refused: ["[100::1]", "[100::ffff:ffff:ffff:ffff]"] },
  "100:0:0:1::/64": { refused: ["[100:0:0:1::1]", "[100::1:ffff:ffff:ffff:ffff]"] },
  "2001::/23": {
    refused: ["[2001:5::1]", "[2001:1::4]", "[2001:1ff:ffff::1]"],
    accepted: ["[2001:200::1]", "[2000:ffff::1]"],
  },
  "2001::/32": { refused: ["[2001::1]", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "[2001:0:ffff:ffff::1]"] },
  "2001:1::1/128": { accepted: ["[2001:1::1]"] },
  "2001:1::2/128": { accepted: ["[2001:1::2]"] },
  "2001:1::3/128": { accepted: ["[2001:1::3]"] },
  "2001:2::/48": { refused: ["[2001:2::1]", "[2001:2:0:ffff::1]"] },
  "2001:3::/32": { accepted: ["[2001:3::1]"] },
  "2001:4:112::/48": { accepted: ["[2001:4:112::1]"] },
  "2001:10::/28": { refused: ["[2001:10::1]", "[2001:1f:ffff::1]"] },
  "2001:20::/28": { accepted: ["[2001:20::1]", "[2001:2f:ffff::1]"] },
  "2001:30::/28": { accepted: ["[2001:30::1]"] },
  "2001:db8::/32": {
    refused: ["[2001:db8::1]", "[2001:db8:ffff:ffff::1]"],
    accepted: ["[2001:db7:ffff::1]", "[2001:db9::1]"],
  },
  "2002::/16": {
    refused: [
      "[2002:7f00:1::]",
      "[2002:a9fe:a9fe::]",
      "[2002:c0a8:101::1]",
      "[2002:a00:1::]",
      "[2002::]",
      "[2002:e000:1::]",
    ],
    accepted: ["[2002:808:808::]", "[2001:ffff::1]", "[2003::1]"],
  },
  "2620:4f:8000::/48": { accepted: ["[2620:4f:8000::1]"] },
  "3fff::/20": { refused: ["[3fff::1]", "[3fff:fff:ffff::1]"], accepted: ["[3ffe:ffff::1]", "[3fff:1000::1]"] },
  "5f00::/16": { refused: ["[5f00::1]", "[5f00:ffff::1]"] },
  "fc00::/7": { refused: ["[fc00::1]", "[fd12:3456:789a::1]", "[fdff:ffff::1]"] },
  "fe80::/10": { refused: ["[fe80::1]", "[febf::1]"] },
  "fec0::/10": { refused: ["[fec0::1]", "[feff::1]"] },
  "ff00::/8": { refused: ["[ff02::1]", "[ffff:ffff::1]"] },
};

const refusedInProduction = (host: string) => {
  const result = checkWebhookUrl(`http://${host}/`, { allowPrivate: false });
  if (result.ok) return false;
  expect(result.message, host).toBe(PRIVATE);
  return true;
};

describe("address tables", () => {
  const rowKey = (row: AddressBlock) => `${row.prefix}/${row.bits}`;

  // Run from the examples, not the tables, so a row dropped from a table still fails here.
  it.each(Object.entries(examples))("%s: its hand-written examples", (_key, { refused = [], accepted = [] }) => {
    for (const host of refused) expect(refusedInProduction(host), host).toBe(true);
    for (const host of accepted) expect(refusedInProduction(host), host).toBe(false);
  });

  it("has hand-written examples for exactly the rows of the tables, each row once", () => {
    const keys = [...IANA_IPV4_SPECIAL_PURPOSE, ...IANA_IPV6_SPECIAL_PURPOSE].map(rowKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(Object.keys(examples).sort());
  });

  const families = [
    {
      family: "IPv4",
      table: IANA_IPV4_SPECIAL_PURPOSE,
      width: 32,
      toBigInt: (prefix: string) => BigInt(parseIPv4(prefix)!),
      format: (n: bigint) => [24n, 16n, 8n, 0n].map((s) => (n >> s) & 0xffn).join("."),
    },
    {
      family: "IPv6",
      table: IANA_IPV6_SPECIAL_PURPOSE,
      width: 128,
      toBigInt: (prefix: string) => parseIPv6(prefix)!.reduce((n, g) => (n << 16n) | BigInt(g), 0n),
      format: (n: bigint) =>
        `[${Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":")}]`,
    },
  ];

  describe.each(families)("$family", ({ table, width, toBigInt, format }) => {
    const blocks = table.map((row) => ({ row, base: toBigInt(row.prefix), size: 1n << BigInt(width - row.bits) }));
    const inside = (block: (typeof blocks)[number], address: bigint) =>
      address >= block.base && address < block.base + block.size;

    // Generated from the row itself, so a new row is covered without writing anything.
    it.each(blocks.map((block) => [rowKey(block.row), block.row.name, block] as const))(
      "%s (%s): its first, middle and last addresses",
      (_key, _name, block) => {
        const { row, base, size } = block;
        const samples: [address: bigint, refused: boolean][] =
          row.ipv4At === undefined
            ? [base, base + size / 2n, base + size - 1n].map((a) => [a, row.global !== true])
            : (
                [
                  ["127.0.0.1", true],
                  ["169.254.169.254", true],
                  ["192.0.2.1", true],
                  ["8.8.8.8", false],
                ] as const
              ).map(([v4, refused]) => [base | (BigInt(parseIPv4(v4)!) << BigInt(96 - row.ipv4At!)), refused]);
        // An address inside a narrower row is that row's to judge.
        const own = samples.filter(([a]) => !blocks.some((other) => other.row.bits > row.bits && inside(other, a)));
        expect(own.length, "some sample belongs to this row").toBeGreaterThan(0);
        for (const [address, refused] of own)
          expect(refusedInProduction(format(address)), format(address)).toBe(refused);
      },
    );
  });

  it("refuses 2001::/23 as a whole but not the sub-blocks the registry marks globally reachable", () => {
    const global = IANA_IPV6_SPECIAL_PURPOSE.filter((row) => row.global && row.prefix.startsWith("2001:")).map(rowKey);
    expect(global).toEqual([
      "2001:1::1/128",
      "2001:1::2/128",
      "2001:1::3/128",
      "2001:3::/32",
      "2001:4:112::/48",
      "2001:20::/28",
      "2001:30::/28",
    ]);
    expect(isPrivateHost("[2001::]")).toBe(true);
  });
});

describe("address parsing", () => {
  it("reads every inet_aton IPv4 form", () => {
    const loopback = 0x7f000001;
    for (const host of [
      "127.0.0.1",
      "127.1",
      "127.0.1",
      "2130706433",
      "0x7f000001",
      "0x7f.1",
      "0177.0.0.01",
      "127.0.0.1.",
    ]) {
      expect(parseIPv4(host), host).toBe(loopback);
    }
    expect(parseIPv4("0x")).toBe(0);
    expect(parseIPv4("255.255.255.255")).toBe(0xffffffff);
    for (const host of ["example.com", "256.0.0.1", "1.2.3.4.5", "4294967296", "1.16777216", "1..2", "", "0x1g"]) {
      expect(parseIPv4(host), host).toBeNull();
    }
  });

  it("reads IPv6 literals with compression and dotted tails", () => {
    expect(parseIPv6("[::1]")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("fe80::1:2")).toEqual([0xfe80, 0, 0, 0, 0, 0, 1, 2]);
    expect(parseIPv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of [
      "1:2:3",
      "1::2::3",
      "1:2:3:4:5:6:7:8::",
      "12345::",
      "::ffff:300.0.0.1",
      "fe80::1%eth0",
      "example.com",
    ]) {
      expect(parseIPv6(bad), bad).toBeNull();
    }
  });

  it("refuses an IPv6 literal it cannot read rather than trusting it", () => {
    expect(isPrivateHost("[zz::1]")).toBe(true);
    expect(isPrivateHost("example.com")).toBe(false);
  });
});
