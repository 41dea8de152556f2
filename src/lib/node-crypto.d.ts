// The few node:crypto functions the attachment links use (nodejs_compat provides the module; the
// project has no Node typings). Synchronous, unlike Web Crypto, so serializers can sign links.
declare module "node:crypto" {
  export function createHmac(
    algorithm: "sha256",
    key: string,
  ): { update(data: string): { digest(encoding: "hex"): string } };
  export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}
