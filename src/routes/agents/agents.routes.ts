import { createRoute } from "@hono/zod-openapi";
import { body, json } from "../openapi";
import { AccountParams } from "../../lib/params";
import { errors } from "../responses";
import { authenticate } from "../../middleware/auth";
import { Deleted } from "../../lib/schemas";
import { Agent, AgentCreateBody, AgentCreated, AgentList, AgentParams, AgentUpdateBody } from "./agents.schemas";

const base = "/api/v1/accounts/{account_id}/agents";
const tags = ["Agents"];
const admin = authenticate({ account: true, admin: true });

export const list = createRoute({
  method: "get",
  path: base,
  tags,
  summary: "The account's agents (a bare array)",
  description:
    "Any agent of the account may call this. Lists every member of the account with role and availability, sorted by " +
    "name.",
  middleware: authenticate({ account: true }),
  request: { params: AccountParams },
  responses: { 200: json(AgentList, "Agents"), ...errors },
});

export const create = createRoute({
  method: "post",
  path: base,
  tags,
  summary: "Add an agent (administrators)",
  description:
    "Creates the user when the e-mail is new, otherwise adds the existing user to the account (their name is " +
    "kept). The new user's access token is never returned. " +
    "A user without a password comes with `set_password_url`, a one-time link (7 days) to hand to the agent: this " +
    "response is the only place it is shown.",
  middleware: admin,
  request: { params: AccountParams, body: body(AgentCreateBody, { wrap: "agent" }) },
  responses: { 200: json(AgentCreated, "The agent"), ...errors },
});

const updateConfig = {
  path: `${base}/{id}`,
  tags,
  summary: "Update an agent's name, role, availability or auto_offline (administrators)",
  description: "Demoting the account's last administrator answers 422.",
  middleware: admin,
  request: { params: AgentParams, body: body(AgentUpdateBody, { wrap: "agent" }) },
  responses: { 200: json(Agent, "The agent"), ...errors },
};
export const update = createRoute({ method: "patch", ...updateConfig });
export const put = createRoute({ method: "put", ...updateConfig });

export const remove = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  summary: "Remove an agent from the account (administrators)",
  description:
    "Also removes their inbox and team memberships and unassigns their conversations in this account. Removing the " +
    "last administrator answers 422.",
  middleware: admin,
  request: { params: AgentParams },
  responses: { 200: json(Deleted, "Removed"), ...errors },
});
