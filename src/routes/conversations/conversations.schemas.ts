import { z } from "@hono/zod-openapi";
import { CONVERSATION_STATUSES, PRIORITIES } from "../../db/schema";
import { zBool, zId, zInt, zJsonObject, zKey, zList, zPage, zQuery } from "../../lib/zod";
import { Conversation } from "../../serializers/conversation";
import { Agent } from "../../serializers/user";
import { Team } from "../../serializers/team";
import { MessageFields } from "../messages/messages.schemas";
import { AgentBotSlim } from "../../serializers/agent-bot";

const label = zKey();

export const STATUS_FILTERS = ["open", "resolved", "pending", "snoozed", "all"] as const;
export const ASSIGNEE_TYPES = ["me", "unassigned", "assigned", "all"] as const;
export const CONVERSATION_TYPES = ["mention", "participating", "unattended"] as const;
export const SORTS = [
  "last_activity_at_desc",
  "last_activity_at_asc",
  "created_at_desc",
  "created_at_asc",
  "priority_desc",
  "priority_asc",
  "waiting_since_desc",
  "waiting_since_asc",
] as const;

export const ConversationListQuery = z.object({
  status: zQuery(z.enum(STATUS_FILTERS)),
  assignee_type: zQuery(z.enum(ASSIGNEE_TYPES)),
  inbox_id: zQuery(zId),
  team_id: zQuery(zId),
  labels: zQuery(zList(label).pipe(z.array(label).max(50))).describe(
    "Only conversations carrying any of these labels (`labels=a&labels=b` or `labels=a,b`)",
  ),
  "labels[]": zQuery(zList(label).pipe(z.array(label).max(50))).describe(
    "The same filter as Rails clients send it (`labels[]=a&labels[]=b`)",
  ),
  q: zQuery(z.string().max(255)),
  source_id: zQuery(zKey()),
  sort_by: zQuery(z.enum(SORTS)),
  conversation_type: zQuery(z.enum(CONVERSATION_TYPES)).describe(
    "`mention`: the caller is mentioned; `participating`: the caller took part (replied, was assigned or " +
      "mentioned); `unattended`: no first reply yet, or the contact waits for an answer",
  ),
  page: zPage,
});

const Counts = z.object({
  mine_count: z.number().int(),
  assigned_count: z.number().int(),
  unassigned_count: z.number().int(),
  all_count: z.number().int(),
});

export const ConversationList = z
  .object({ data: z.object({ meta: Counts, payload: z.array(Conversation) }) })
  .openapi("ConversationList");
export const ConversationMeta = z.object({ meta: Counts }).openapi("ConversationMeta");

const nullableId = z
  .union([zId, z.null(), z.literal(0), z.literal("0"), z.literal("")])
  .transform((v) => (v ? Number(v) : null));

export const ConversationCreateBody = z
  .object({
    source_id: zKey().optional(),
    inbox_id: zId.optional(),
    contact_id: zId.optional(),
    status: z.enum(["open", "resolved", "pending", "snoozed"]).optional(),
    assignee_id: nullableId.optional(),
    team_id: nullableId.optional(),
    snoozed_until: zInt.nullable().optional().describe("Unix seconds"),
    additional_attributes: zJsonObject.optional(),
    custom_attributes: zJsonObject.optional(),
    message: MessageFields.optional().describe("An optional first message, created in the same transaction"),
  })
  .openapi("ConversationCreate");

export const ToggleStatusBody = z
  .object({
    status: z.enum(CONVERSATION_STATUSES).optional().describe("Without it, toggles open ↔ resolved"),
    snoozed_until: zInt.nullable().optional().describe("Unix seconds, for snoozed"),
  })
  .openapi("ToggleStatus");

export const ToggleStatusResult = z
  .object({
    meta: z.object({}),
    payload: z.object({
      success: z.boolean(),
      conversation_id: z.number().int(),
      current_status: z.enum(CONVERSATION_STATUSES),
      snoozed_until: z.number().int().nullable(),
    }),
  })
  .openapi("ToggleStatusResult");

export const PriorityBody = z
  .object({
    priority: z
      .enum(PRIORITIES)
      .nullable()
      .or(z.literal("").transform(() => null)),
  })
  .openapi("Priority");

export const AssignmentBody = z
  .object({
    assignee_id: nullableId.optional(),
    team_id: nullableId.optional(),
    assignee_type: z
      .enum(["User", "AgentBot"])
      .optional()
      .describe('"AgentBot": `assignee_id` names the inbox\'s agent bot, which then holds the conversation (pending)'),
  })
  .openapi("Assignment");

export const AssignmentResult = z.union([Agent, AgentBotSlim, Team, z.null()]).openapi("AssignmentResult");

export const LabelsBody = z.object({ labels: zList(label).pipe(z.array(label).max(50)) }).openapi("Labels");
export const LabelsResult = z.object({ payload: z.array(z.string()) }).openapi("LabelList");

export const CustomAttributesBody = z
  .object({ custom_attributes: zJsonObject })
  .openapi("ConversationCustomAttributes");
export const DestroyCustomAttributesBody = z
  .object({ custom_attributes: zList(z.string().max(255)) })
  .openapi("ConversationCustomAttributeKeys");
export const CustomAttributesResult = z
  .object({ custom_attributes: z.record(z.string(), z.unknown()) })
  .openapi("CustomAttributesResult");

export const Empty = z.object({}).openapi("Empty");
export const LastSeen = z
  .object({ agent_last_seen_at: z.number().int().describe("Unix seconds"), unread_count: z.literal(0) })
  .openapi("ConversationLastSeen");
export { Conversation, zBool };

export const TypingBody = z
  .object({ typing_status: z.enum(["on", "off"]), is_private: zBool.optional() })
  .openapi("TypingStatus");
