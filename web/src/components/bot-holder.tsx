/** The bot holding a conversation (Chatwoot's `meta.assignee_type: "AgentBot"`), named in words, not by colour. */
export function BotHolder({ meta }: { meta: { assignee_type?: string | null; assignee?: unknown } }) {
  if (meta.assignee_type !== "AgentBot") return null;
  const bot = meta.assignee as { name?: string } | undefined;
  return <span class="bot-holder">Bot: {bot?.name ?? "agent bot"}</span>;
}

/** The assigned agent's id for an assignee select: none while a bot holds the conversation. */
export const agentAssigneeId = (meta: { assignee_type?: string | null; assignee?: unknown }) =>
  meta.assignee_type === "User" ? String((meta.assignee as { id?: number } | undefined)?.id ?? "") : "";
