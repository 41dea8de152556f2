import { and, eq, lt, ne, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { passwordTokens, sessions, signInAttempts, users } from "../db/schema";
import { hashPassword, secureToken, sha256Hex, verifyPassword } from "../lib/crypto";
import { AppError, tooManyRequests, unprocessable } from "../lib/errors";
import type { Membership } from "../serializers/user";
import { membershipsOf, type Credential, type Principal } from "./auth";
import type { UserRow } from "../db/schema";
import type { DB } from "../db/client";

/** The console's session cookie (HttpOnly; the page never reads it). */
export const SESSION_COOKIE = "konversio_session";
/** A session lasts this long from sign-in; signing in again starts a new one. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60_000;
/** A set-password link works this long, once. */
export const PASSWORD_TOKEN_TTL_MS = 7 * 24 * 60 * 60_000;
/** last_used_at is written at most this often per session: one write a minute, not one a request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Brute-force limits, per e-mail address and per client address. Failures count within a
 * window; from `threshold` failures on, the key is refused for `firstBlockMs`, doubling with each
 * further failure up to `maxBlockMs`. A success clears the e-mail's count. Nothing lasts past
 * the window and the last block, so the real user is never locked out for good.
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60_000,
  email: { threshold: 5 },
  ip: { threshold: 20 },
  firstBlockMs: 30_000,
  maxBlockMs: 15 * 60_000,
} as const;

/** Wrong e-mail and wrong password answer alike, so the API does not tell which addresses exist. */
export const invalidCredentials = () =>
  new AppError(401, "INVALID_CREDENTIALS", "Invalid login credentials. Please try again.");

/** The CSRF token of a session: derived from its cookie, so nothing more is stored or looked up. */
export const csrfTokenFor = (cookie: string) => sha256Hex(`csrf:${cookie}`);

/** Whether the cookie session's last use is old enough to be written again (no D1 call otherwise). */
export const sessionNeedsTouch = (p: Pick<Principal, "credential" | "sessionLastUsedAt">) =>
  p.credential.kind === "cookie" && p.sessionLastUsedAt !== null && p.sessionLastUsedAt < Date.now() - TOUCH_EVERY_MS;

/** Records that a session was used (at most once a minute); run after the response. */
export async function touchSession(db: DB, tokenHash: string) {
  const now = Date.now();
  await db
    .update(sessions)
    .set({ lastUsedAt: now })
    .where(and(eq(sessions.tokenHash, tokenHash), lt(sessions.lastUsedAt, now - TOUCH_EVERY_MS)));
}

const attemptKeys = (email: string, ip: string) => [`email:${email}`, `ip:${ip}`] as const;

/** A dummy hash to verify against when the e-mail is unknown: both answers take as long. */
let dummyHash: Promise<string> | undefined;
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(secureToken());
  return dummyHash;
}

export type SignedIn = {
  user: UserRow;
  memberships: Membership[];
  cookie: string;
  apiToken: string;
  csrfToken: string;
  expiresAt: number;
};

/**
 * `POST /auth/sign_in`. Two round trips on success (read the user and the attempt counts; write
 * the session and clear the count), two on failure (read; count the failure).
 */
export async function signIn(
  db: DB,
  input: { email: string; password: string; ip: string; userAgent: string | null },
): Promise<SignedIn> {
  const email = input.email.trim().toLowerCase();
  const [emailKey, ipKey] = attemptKeys(email, input.ip);
  const now = Date.now();
  const [found, attempts] = await db.batch([
    db.select().from(users).where(eq(users.email, email)),
    db.select().from(signInAttempts).where(sql`${signInAttempts.key} in (${emailKey}, ${ipKey})`),
  ]);
  const blockedUntil = Math.max(0, ...attempts.map((a) => a.blockedUntil ?? 0));
  if (blockedUntil > now)
    throw tooManyRequests(
      "Too many failed sign-ins; try again after the time in Retry-After",
      (blockedUntil - now) / 1000,
    );

  const user = found[0];
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user?.passwordHash || !ok) {
    await db.batch([
      countFailure(db, emailKey, SIGN_IN_LIMITS.email.threshold, now),
      countFailure(db, ipKey, SIGN_IN_LIMITS.ip.threshold, now),
    ]);
    throw invalidCredentials();
  }

  const cookie = secureToken(32);
  const apiToken = secureToken();
  const expiresAt = now + SESSION_TTL_MS;
  const [, , memberships] = await db.batch([
    db.insert(sessions).values({
      userId: user.id,
      tokenHash: await sha256Hex(cookie),
      apiTokenHash: await sha256Hex(apiToken),
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
    }),
    db.delete(signInAttempts).where(eq(signInAttempts.key, emailKey)),
    membershipsOf(db, user.id),
  ]);
  return { user, memberships, cookie, apiToken, csrfToken: await csrfTokenFor(cookie), expiresAt };
}

/**
 * Deletes what can no longer be used: expired sessions and set-password links, and failure
 * counts whose window and block are both over, at most `limit` rows of each. One batch; the
 * cron runs these statements through the retention job (services/retention.ts). Returns rows deleted.
 */
export async function pruneExpired(db: DB, now = Date.now(), limit = 500): Promise<number> {
  const results = await db.batch(pruneStatements(db, now, limit));
  return results.reduce((n, rows) => n + rows.length, 0);
}

/**
 * The pruning's statements (apart, for the query-plan test: each goes through an index), each
 * deleting at most `limit` rows so no statement holds D1's writer long.
 */
export function pruneStatements(db: DB, now: number, limit = 500) {
  return [
    db
      .delete(sessions)
      .where(
        sql`${sessions.id} in (select id from ${sessions} where ${lt(sessions.expiresAt, now)}
          order by ${sessions.expiresAt} limit ${limit})`,
      )
      .returning({ id: sessions.id }),
    db
      .delete(passwordTokens)
      .where(
        sql`${passwordTokens.tokenHash} in (select token_hash from ${passwordTokens}
          where ${lt(passwordTokens.expiresAt, now)} order by ${passwordTokens.expiresAt} limit ${limit})`,
      )
      .returning({ id: passwordTokens.tokenHash }),
    db
      .delete(signInAttempts)
      .where(
        sql`${signInAttempts.key} in (select key from ${signInAttempts}
          where ${lt(signInAttempts.windowStartedAt, now - SIGN_IN_LIMITS.windowMs)}
            and coalesce(${signInAttempts.blockedUntil}, 0) < ${now}
          order by ${signInAttempts.windowStartedAt} limit ${limit})`,
      )
      .returning({ id: signInAttempts.key }),
  ] as const;
}

/** One more failure for `key`: a new window when the old one is over; a block from `threshold` on. */
function countFailure(db: DB, key: string, threshold: number, now: number) {
  const { windowMs, firstBlockMs, maxBlockMs } = SIGN_IN_LIMITS;
  const stale = sql`${signInAttempts.windowStartedAt} <= ${now - windowMs}`;
  const failures = sql`case when ${stale} then 1 else ${signInAttempts.failures} + 1 end`;
  // 30 s at the threshold, doubling after, at most 15 minutes.
  const block = sql`case when ${failures} >= ${threshold}
    then ${now} + min(${maxBlockMs}, ${firstBlockMs} * (1 << min(20, ${failures} - ${threshold}))) else null end`;
  return db
    .insert(signInAttempts)
    .values({ key, failures: 1, windowStartedAt: now, blockedUntil: threshold <= 1 ? now + firstBlockMs : null })
    .onConflictDoUpdate({
      target: signInAttempts.key,
      set: {
        failures,
        windowStartedAt: sql`case when ${stale} then ${now} else ${signInAttempts.windowStartedAt} end`,
        blockedUntil: block,
      },
    });
}

/** Ends the session the credential belongs to (its cookie and its API token alike). */
export async function signOut(db: DB, cred: Credential) {
  const column = cred.kind === "cookie" ? sessions.tokenHash : sessions.apiTokenHash;
  await db.delete(sessions).where(eq(column, cred.hash));
}

/** Statements ending every session of the user but the one `keep` belongs to (a password change). */
export function endOtherSessions(db: DB, userId: number, keep: Credential | null): BatchItem<"sqlite"> {
  const others = keep ? ne(keep.kind === "cookie" ? sessions.tokenHash : sessions.apiTokenHash, keep.hash) : undefined;
  return db.delete(sessions).where(and(eq(sessions.userId, userId), others));
}

/** A one-time set-password link's token for a user; the statement stores its digest. */
export async function passwordTokenFor(db: DB, userId: number | ReturnType<typeof sql>) {
  const token = secureToken(32);
  const now = Date.now();
  const statement = db.insert(passwordTokens).values({
    tokenHash: await sha256Hex(token),
    userId: userId as number,
    createdAt: now,
    expiresAt: now + PASSWORD_TOKEN_TTL_MS,
  });
  return { token, statement };
}

/** The console page a set-password link opens. */
export const setPasswordUrl = (origin: string, token: string) =>
  `${origin}/app/set-password?token=${encodeURIComponent(token)}`;

/**
 * `POST /auth/password`: sets the password of the link's user, uses the link up, and ends every
 * session the user had. An unknown, used or expired link is a 422 naming `token`.
 */
export async function setPasswordWithToken(db: DB, token: string, password: string) {
  const tokenHash = await sha256Hex(token);
  const [row] = await db.select().from(passwordTokens).where(eq(passwordTokens.tokenHash, tokenHash));
  if (!row || row.expiresAt <= Date.now())
    throw unprocessable("This link is invalid or has expired: ask an administrator for a new one", [
      { field: "token", message: "is invalid or has expired" },
    ]);
  await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(password), updatedAt: Date.now() })
      .where(eq(users.id, row.userId)),
    db.delete(passwordTokens).where(eq(passwordTokens.userId, row.userId)),
    endOtherSessions(db, row.userId, null),
  ]);
}
