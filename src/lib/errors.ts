import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorDetail = { field: string; message: string };

/**
 * The one error type services throw. `app.onError` turns it into the envelope
 * `{"error": "<message>", "code": "<CODE>", "details": [...]}`; `error` stays a plain
 * string because Chatwoot clients read it.
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Response headers the error needs (`Retry-After` on a 429). */
    readonly headers: Record<string, string> = {},
    /** Fields the envelope carries besides its three (`oldest_available_id` on a 410). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new AppError(400, "BAD_REQUEST", message);
export const unauthorized = (message = "Invalid Access Token") => new AppError(401, "UNAUTHORIZED", message);
export const forbidden = (message = "You are not authorized to do this action") =>
  new AppError(403, "FORBIDDEN", message);
export const notFound = (what = "Resource") => new AppError(404, "NOT_FOUND", `${what} not found`);
export const conflict = (message: string, details: ErrorDetail[] = []) =>
  new AppError(409, "CONFLICT", message, details);
export const unprocessable = (message: string, details: ErrorDetail[] = []) =>
  new AppError(422, "UNPROCESSABLE_ENTITY", message, details);
export const payloadTooLarge = (message = "Request body is too large") =>
  new AppError(413, "PAYLOAD_TOO_LARGE", message);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(429, "RATE_LIMITED", message, [], { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const unsupportedMediaType = (message = "Unsupported Media Type") =>
  new AppError(415, "UNSUPPORTED_MEDIA_TYPE", message);

/** 410: what was asked for is older than what retention keeps; `oldestAvailableId` is the oldest id still kept. */
export const gone = (code: string, message: string, field: string, oldestAvailableId: number) =>
  new AppError(
    410,
    code,
    message,
    [{ field, message: `is older than the oldest available id (${oldestAvailableId})` }],
    {},
    { oldest_available_id: oldestAvailableId },
  );

/** A cursor older than what retention keeps: the rows right after it were deleted, so reading on would skip them. */
export const cursorExpired = (field: string, what: string, oldestAvailableId: number) =>
  gone(
    "CURSOR_EXPIRED",
    `The ${what} after this ${field} are no longer kept; the oldest available is ${oldestAvailableId}`,
    field,
    oldestAvailableId,
  );

export function errorBody(err: AppError) {
  return { error: err.message, code: err.code, details: err.details, ...err.fields };
}

/** The text of a database error, including the driver's cause (drizzle wraps D1's errors). */
export function dbErrorText(err: unknown): string {
  const parts: string[] = [];
  for (
    let e = err as { message?: string; cause?: unknown } | undefined, i = 0;
    e && i < 4;
    e = e.cause as typeof e, i++
  ) {
    parts.push(String(e.message ?? e));
  }
  return parts.join(" | ");
}

export const isUniqueViolation = (err: unknown) => /UNIQUE constraint failed/i.test(dbErrorText(err));
