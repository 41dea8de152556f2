import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Operation } from "./access";
import { api } from "./api";
import { unique } from "./factories";
import { isPublicClient, MATRIX, UNAUTHENTICATED, uploadForm, type Ctx } from "./operations";
import type { Viewer } from "./secrets";

/**
 * Who is entitled to call each family of operations, and with what: an administrator's token and
 * MATRIX's bodies (Application API), the platform token (Platform API), the client API's own
 * session, or nothing. The fuzz test sends hostile input as these callers; the examples test sends
 * the valid bodies and records what comes back.
 */
export type Family = "application" | "platform" | "client" | "tokenless";

export const familyOf = (op: Operation): Family =>
  UNAUTHENTICATED.includes(op.key)
    ? "tokenless"
    : isPublicClient(op.path)
      ? "client"
      : op.path.startsWith("/platform/")
        ? "platform"
        : "application";

/** Valid bodies for the client API's writes (the Application and Platform APIs' are in MATRIX). */
const CLIENT_MESSAGE =
  "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}" +
  "/messages/{message_id}";
const CLIENT_BODIES: Record<string, () => Record<string, unknown>> = {
  "POST /public/api/v1/inboxes/{inbox_identifier}/contacts": () => ({ name: "Fuzz", identifier: unique("fuzz") }),
  "PATCH /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}": () => ({ name: "Renamed" }),
  "PUT /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}": () => ({ name: "Renamed" }),
  "POST /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations": () => ({}),
  "POST /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/toggle_typing":
    () => ({ typing_status: "on" }),
  "POST /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages":
    () => ({ content: "hi" }),
  // A FormData, sent as multipart (the api() helper passes one through).
  "POST /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/upload": () =>
    uploadForm() as unknown as Record<string, unknown>,
  [`PATCH ${CLIENT_MESSAGE}`]: () => ({
    submitted_values: [{ title: "Yes", value: "yes" }],
  }),
  [`PUT ${CLIENT_MESSAGE}`]: () => ({
    submitted_values: [{ title: "Yes", value: "yes" }],
  }),
};

export type Target = {
  ids: Record<string, string | number>;
  token: string | null;
  viewer: Viewer;
  body: (key: string) => Record<string, unknown> | undefined;
};

async function clientTarget(w: Ctx): Promise<Target> {
  const base = `/public/api/v1/inboxes/${w.inbox.identifier}`;
  const session = await api("POST", `${base}/contacts`, { name: "Maya" });
  const conversation = await api("POST", `${base}/contacts/${session.body.source_id}/conversations`, {});
  const message = await api(
    "POST",
    `${base}/contacts/${session.body.source_id}/conversations/${conversation.body.id}/messages`,
    { content: "hi" },
  );
  expect([session.status, conversation.status, message.status]).toEqual([200, 200, 200]);
  return {
    ids: {
      inbox_identifier: w.inbox.identifier,
      source_id: session.body.source_id,
      conversation_id: conversation.body.id,
      message_id: message.body.id,
    },
    token: null,
    viewer: { kind: "client", sourceId: session.body.source_id },
    body: (key) => CLIENT_BODIES[key]?.(),
  };
}

export const targets: Record<Family, (w: Ctx) => Promise<Target>> = {
  application: async (w) => ({
    ids: w.ids,
    token: w.admin.token,
    viewer: { kind: "user", userId: w.admin.id, admin: true },
    body: (key) => MATRIX[key]?.body?.(w) as Record<string, unknown> | undefined,
  }),
  platform: async (w) => ({
    ids: w.ids,
    token: env.PLATFORM_API_TOKEN!,
    viewer: { kind: "platform" },
    body: (key) => MATRIX[key]?.body?.(w) as Record<string, unknown> | undefined,
  }),
  client: clientTarget,
  tokenless: async (w) => ({
    ids: { account_id: w.account.id, key: "k".repeat(24), file_name: "file.txt" },
    token: null,
    viewer: { kind: "none" },
    body: () => undefined,
  }),
};
