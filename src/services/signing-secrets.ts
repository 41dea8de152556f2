import { sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";

/** How long the secret before a reset keeps signing deliveries alongside the new one. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

/** Webhook signing secrets are shown as `whsec_<base64 key>` (Standard Webhooks). */
export function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * The columns of a secret reset, for an inbox or an account webhook: a fresh secret, and the
 * current one (read by the same UPDATE, so concurrent resets cannot lose it) kept as the
 * previous secret for 24 hours. Deliveries sign with both until it expires, so a receiver
 * can switch secrets without dropping events.
 */
export function rotatedSecret(current: AnySQLiteColumn, now = Date.now()) {
  return {
    secret: newSigningSecret(),
    previousSecret: sql<string>`${current}`,
    previousSecretExpiresAt: now + PREVIOUS_SECRET_TTL_MS,
    updatedAt: now,
  };
}
