import { ErrorEnvelope } from "../lib/schemas";
import { json } from "./openapi";

const error = (description: string) => ({ content: { "application/json": { schema: ErrorEnvelope } }, description });

/** The error responses every authenticated route can give. */
export const errors = {
  400: error("Malformed JSON or form body"),
  401: error("Missing or invalid access token"),
  403: error("The caller's role may not do this"),
  404: error("Unknown id, or an id of another account"),
  413: error("Request body too large"),
  415: error("Unsupported content type"),
  422: error("Validation failed; `details` lists the fields"),
} as const;

export { json };
