import { describe, expect, it } from "vitest";
import { AppError } from "../src/lib/errors";
import { checkWebhookUrl, isPrivateHost, parseIPv4, parseIPv6, validateWebhookUrl } from "../src/webhooks/url";

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
    // IPv4 ranges
    "http://127.0.0.1/",
    "http://127.255.255.254:8080/",
    "http://10.0.0.1/",
    "http://10.255.255.255/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.10/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://100.127.255.255/",
    "http://0.0.0.0/",
    "http://0.1.2.3/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
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
    // IPv6 literals
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::]/",
    "http://[fc00::1]/",
    "http://[fd12:3456:789a::1]/",
    "http://[fe80::1]/",
    "http://[febf::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    // IPv4 inside IPv6
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:10.1.2.3]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:0:127.0.0.1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::192.168.0.1]/",
  ];

  it.each(privateUrls)("%s is refused in production and allowed in development", (url) => {
    const err = refusal(url);
    expect(err.status).toBe(422);
    expect(err.details).toEqual([{ field: "url", message: PRIVATE }]);
    expect(checkWebhookUrl(url, { allowPrivate: true }).ok).toBe(true);
    expect(() => validateWebhookUrl(url, development)).not.toThrow();
  });

  it("lets public addresses next to the private ranges through", () => {
    for (const url of [
      "http://11.0.0.1/",
      "http://126.255.255.255/",
      "http://128.0.0.1/",
      "http://172.15.255.255/",
      "http://169.255.0.1/",
      "http://100.63.255.255/",
      "http://1.0.0.0/",
      "http://223.255.255.255/",
      "http://[::ffff:8.8.8.8]/",
      "http://[64:ff9b::8.8.8.8]/",
      "http://[2001:db8::1]/",
      "http://[fbff::1]/",
      "http://[fe00::1]/",
    ]) {
      expect(validateWebhookUrl(url, production), url).toMatch(/^http:\/\//);
    }
  });
});

describe("address parsing", () => {
  it("reads every inet_aton IPv4 form", () => {
    const loopback = 0x7f000001;
    for (const host of ["127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7f.1", "0177.0.0.01", "127.0.0.1."]) {
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
    for (const bad of ["1:2:3", "1::2::3", "1:2:3:4:5:6:7:8::", "12345::", "::ffff:300.0.0.1", "fe80::1%eth0", "example.com"]) {
      expect(parseIPv6(bad), bad).toBeNull();
    }
  });

  it("refuses an IPv6 literal it cannot read rather than trusting it", () => {
    expect(isPrivateHost("[zz::1]")).toBe(true);
    expect(isPrivateHost("example.com")).toBe(false);
  });
});
