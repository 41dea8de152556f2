import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Profile } from "../../serializers/user";
import {
  AutoOfflineBody,
  AvailabilityBody,
  ContactProfile,
  ContactProfileBody,
  ProfileUpdateBody,
} from "./profile.schemas";

const base = "/api/v1/profile";
const tags = ["Profile"];
const self = authenticate();
const { 403: _noRoleChecks, ...profileErrors } = errors;

export const show = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The calling agent's profile, with their accounts",
  description:
    "`access_token` is the token this request was made with: tokens are stored hashed, so it is never read back.",
  middleware: self,
  responses: { 200: json(Profile, "The profile"), ...profileErrors },
});

const updateConfig = {
  path: base,
  tags,
  summary: "Update the calling agent's profile",
  description:
    "`ui_settings` and `custom_attributes` are merged. Changing the " +
    "password needs `current_password` and a matching `password_confirmation`. Answers with the profile, as `GET` " +
    "does: its `access_token` is the token this request was made with.",
  middleware: self,
  request: { body: body(ProfileUpdateBody, { wrap: "profile", multipart: true }) },
  responses: { 200: json(Profile, "The updated profile"), ...profileErrors },
};
export const update = createRoute({ method: "put", ...updateConfig });
export const patch = createRoute({ method: "patch", ...updateConfig });

export const availability = createRoute({
  method: "post",
  path: `${base}/availability`,
  tags,
  summary: "Set the caller's availability in one of their accounts",
  description:
    "Any signed-in agent, for an account they belong to (another answers 404). Going `online` hands the " +
    "unassigned backlog of their inboxes out to their available agents; the new presence is broadcast to the account.",
  middleware: self,
  request: { body: body(AvailabilityBody, { wrap: "profile" }) },
  responses: { 200: json(Profile, "The updated profile"), ...profileErrors },
});

export const autoOffline = createRoute({
  method: "post",
  path: `${base}/auto_offline`,
  tags,
  summary: "Set whether the caller goes offline automatically in one of their accounts",
  description:
    "Any signed-in agent, for an account they belong to (another answers 404). With `auto_offline`, an agent " +
    "without an open console connection counts as offline; the account's presence is broadcast again.",
  middleware: self,
  request: { body: body(AutoOfflineBody, { wrap: "profile" }) },
  responses: { 200: json(Profile, "The updated profile"), ...profileErrors },
});

export const resetAccessToken = createRoute({
  method: "post",
  path: `${base}/reset_access_token`,
  tags,
  summary: "Replace the caller's access token",
  description: "The token this request was made with stops working at once; the response carries the new one.",
  middleware: self,
  responses: { 200: json(Profile, "The profile with the new access_token"), ...profileErrors },
});

export const createContactProfile = createRoute({
  method: "post",
  path: "/api/v1/profile",
  tags: ["Profile"],
  summary: "Create or find a contact by your stable identifier, in an API inbox",
  description:
    "As the API-channel guide describes: finds the contact of the inbox's account with this `identifier` (or " +
    "creates it), ensures its contact_inbox in the inbox, and returns it with `source_id` and `pubsub_token`. With " +
    "`identifier_hash` (hex HMAC-SHA256 of the identifier keyed with the inbox's `hmac_token`) the contact_inbox " +
    "is marked verified; a wrong hash, or none when the inbox has `hmac_mandatory`, answers 401.",
  middleware: authenticate(),
  request: { body: body(ContactProfileBody, { wrap: "profile" }) },
  responses: { 200: json(ContactProfile, "The contact, new or existing"), ...errors },
});
