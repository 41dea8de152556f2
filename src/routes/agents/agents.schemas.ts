import { z } from "@hono/zod-openapi";
import { AVAILABILITIES, ROLES } from "../../db/schema";
import { accountChild } from "../../lib/params";
import { zBool } from "../../lib/zod";
import { Agent } from "../../serializers/user";

export const AgentParams = accountChild("id", "Agent (user) id");

const AgentFields = z.object({
  name: z.string().trim().min(1).max(255),
  role: z.enum(ROLES).optional().describe("Defaults to agent"),
  availability: z.enum(AVAILABILITIES).optional().describe("Defaults to offline"),
  auto_offline: zBool.optional(),
});

export const AgentCreateBody = AgentFields.extend({
  email: z.string().trim().max(255).pipe(z.email()),
}).openapi("AgentCreate");

export const AgentUpdateBody = AgentFields.partial().openapi("AgentUpdate");

export const AgentList = z.array(Agent).openapi("AgentList");
export { Agent };

export const AgentCreated = Agent.extend({
  set_password_url: z
    .string()
    .optional()
    .describe(
      "A one-time link (7 days) for the agent to set a password; only in this response, only for a user without one",
    ),
}).openapi("AgentCreated");
