import { z } from "@hono/zod-openapi";
import { zClearable, zId } from "../../lib/zod";
import { AgentBotFields } from "../agent-bots/agent-bots.schemas";

export const AgentBotParams = z.object({
  id: zId.openapi({ param: { name: "id", in: "path" }, type: "integer", description: "Agent bot id" }),
});

const accountId = zClearable(zId)
  .optional()
  .describe("The account the bot belongs to; none: a platform bot any account may attach to its inboxes");

export const PlatformAgentBotCreateBody = AgentBotFields.extend({ account_id: accountId }).openapi(
  "PlatformAgentBotCreate",
);
export const PlatformAgentBotUpdateBody = AgentBotFields.partial().openapi("PlatformAgentBotUpdate");
