import { and, eq } from "drizzle-orm";
import { accountUsers, users, type Availability } from "../db/schema";
import { mergeAttributes } from "../lib/attributes";
import { hashPassword, verifyPassword } from "../lib/crypto";
import { isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import type { Membership } from "../serializers/user";
import { membershipsOf, type Credential } from "./auth";
import { endOtherSessions } from "./sessions";
import { resetAccessToken } from "./users";
import type { UserRow } from "../db/schema";
import type { DB } from "../db/client";
import type { z } from "@hono/zod-openapi";
import type { ProfileUpdateBody } from "../routes/profile/profile.schemas";

/** What the profile serializer needs: the user and every account they belong to. */
export type ProfileView = { user: UserRow; memberships: Membership[] };

/** What an agent changes of their profile, as the profile route's schema reads it. */
export type ProfileInput = z.output<typeof ProfileUpdateBody>;

export async function showProfile(db: DB, user: UserRow): Promise<ProfileView> {
  return { user, memberships: await membershipsOf(db, user.id) };
}

const emailTaken = () =>
  unprocessable("Email has already been taken", [{ field: "email", message: "has already been taken" }]);

/**
 * Updates the caller's own profile. `ui_settings` and `custom_attributes` are merged, not
 * replaced. A new password needs the current one (checked here; the schema checks length
 * and confirmation). E-mail stays unique across users, case-insensitively.
 */
export async function updateProfile(
  db: DB,
  user: UserRow,
  input: ProfileInput,
  caller: Credential,
): Promise<ProfileView> {
  if (input.password !== undefined) {
    const ok = input.current_password ? await verifyPassword(input.current_password, user.passwordHash) : false;
    if (!ok) throw unprocessable("Invalid current password", [{ field: "current_password", message: "is invalid" }]);
  }
  const phone = input.phone_number === undefined ? {} : { phone_number: input.phone_number };
  const customAttributes = mergeAttributes("custom_attributes", user.customAttributes, {
    ...input.custom_attributes,
    ...phone,
  });
  const uiSettings = mergeAttributes("ui_settings", user.uiSettings, input.ui_settings);
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : user.passwordHash;
  try {
    // The unique index on users.email is the check, so a taken e-mail costs no extra round trip.
    const [updated, memberships] = await db.batch([
      db
        .update(users)
        .set({
          name: input.name ?? user.name,
          displayName: input.display_name === undefined ? user.displayName : input.display_name,
          email: input.email === undefined ? user.email : input.email.trim().toLowerCase(),
          messageSignature: input.message_signature === undefined ? user.messageSignature : input.message_signature,
          avatarUrl: input.avatar_url === undefined ? user.avatarUrl : input.avatar_url,
          uiSettings,
          customAttributes,
          passwordHash,
        })
        .where(eq(users.id, user.id))
        .returning(),
      membershipsOf(db, user.id),
      // A new password ends every other signed-in session (not the caller's own).
      ...(input.password !== undefined ? [endOtherSessions(db, user.id, caller)] : []),
    ]);
    return { user: updated[0], memberships };
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}

/** Sets one of the caller's memberships. An account the caller does not belong to is a 404. */
async function updateMembership(
  db: DB,
  user: UserRow,
  accountId: number,
  set: { availability?: Availability; autoOffline?: boolean },
): Promise<ProfileView> {
  const [updated, memberships] = await db.batch([
    db
      .update(accountUsers)
      .set(set)
      .where(and(eq(accountUsers.accountId, accountId), eq(accountUsers.userId, user.id)))
      .returning({ id: accountUsers.id }),
    membershipsOf(db, user.id),
  ]);
  if (!updated[0]) throw notFound("Account");
  return { user, memberships };
}

export const setAvailability = (db: DB, user: UserRow, accountId: number, availability: Availability) =>
  updateMembership(db, user, accountId, { availability });

export const setAutoOffline = (db: DB, user: UserRow, accountId: number, autoOffline: boolean) =>
  updateMembership(db, user, accountId, { autoOffline });

/** Issues the caller a new access token; the one they called with stops working at once. */
export async function resetProfileToken(db: DB, user: UserRow): Promise<ProfileView & { token: string }> {
  const token = await resetAccessToken(db, user.id);
  return { ...(await showProfile(db, user)), token };
}
