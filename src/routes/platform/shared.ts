import { z } from "@hono/zod-openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { zId } from "../../lib/zod";
import { authenticatePlatform } from "../../middleware/auth";

export const PLATFORM_BASE = "/platform/api/v1";

const TOKEN_NOTE =
  "Platform API: authenticate with the operator's `PLATFORM_API_TOKEN` secret (`api_access_token` header, " +
  "`Api-Access-Token`, `Authorization: Bearer` or `?api_access_token=`). Agent access tokens are refused here, and " +
  "this token is refused on `/api/v1`.";

const { 403: _noRoles, ...platformErrors } = errors;

/** What every Platform API route shares: the operator-token guard and its documentation. */
export function platformRoute(tag: string, description?: string) {
  return {
    tags: [tag],
    middleware: authenticatePlatform,
    security: [{ platform_token: [] }],
    description: description ? `${description}\n\n${TOKEN_NOTE}` : TOKEN_NOTE,
  };
}

export { platformErrors, AccountParams };

export const UserParams = z.object({
  id: zId.openapi({ param: { name: "id", in: "path" }, type: "integer", description: "User id" }),
});

export { Deleted as PlatformDeleted } from "../../lib/schemas";
