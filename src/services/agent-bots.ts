import { and, asc, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { accounts, agentBots, conversations, deliveries, inboxes, type AgentBotRow } from "../db/schema";
import { secureToken, sha256Hex } from "../lib/crypto";
import { notFound, unprocessable } from "../lib/errors";
import { validateWebhookUrl, type WebhookUrlEnv } from "../lib/webhook-url";
import { BOT_TOKEN_PREFIX, viewerOf } from "./auth";
import { newSigningSecret, rotatedSecret } from "./signing-secrets";
import { seesInbox } from "../views/visibility";
import { conversationViews, toView } from "../views/conversations";
import { toggleStatus } from "./conversations/actions";
import { AUTOMATION } from "./routing";
import type { Outbox } from "../events/outbox";
import type { DB } from "../db/client";
import type { AgentContext, ServiceContext } from "./context";
import type { z } from "@hono/zod-openapi";
import type { AgentBotUpdateBody } from "../routes/agent-bots/agent-bots.schemas";

export type AgentBotInput = z.output<typeof AgentBotUpdateBody>;

/** A bot with the plain token, which exists only in the response that issued it. */
export type IssuedBot = { bot: AgentBotRow; token: string };

/** A fresh bot token (`bot_` + 32 base58 characters): the plain value for the caller, its SHA-256 for the row. */
export async function newBotToken() {
  const token = `${BOT_TOKEN_PREFIX}${secureToken(32)}`;
  return { token, tokenHash: await sha256Hex(token) };
}

/** The bots an account may use: its own and the platform's (account_id null). */
const usableBy = (accountId: number) => or(eq(agentBots.accountId, accountId), isNull(agentBots.accountId))!;
/** The bots an account owns, the only ones it may change. */
const ownedBy = (accountId: number, id: number) => and(eq(agentBots.accountId, accountId), eq(agentBots.id, id))!;

/** The column changes an input asks for; the outgoing URL meets the deployment's address rule. */
function columns(input: AgentBotInput, env: WebhookUrlEnv) {
  const set: Partial<typeof agentBots.$inferInsert> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  if (input.outgoing_url !== undefined)
    set.outgoingUrl = input.outgoing_url === null ? null : validateWebhookUrl(input.outgoing_url, env, "outgoing_url");
  if (input.avatar_url !== undefined) set.avatarUrl = input.avatar_url;
  if (input.bot_type !== undefined) set.botType = input.bot_type;
  if (input.bot_config !== undefined) set.botConfig = input.bot_config;
  return set;
}

/** The bots the account may attach to its inboxes: its own and the platform's, by id. */
export function listAgentBots({ db, accountId }: ServiceContext): Promise<AgentBotRow[]> {
  return db.select().from(agentBots).where(usableBy(accountId)).orderBy(asc(agentBots.id));
}

/** One bot the account may use; another account's bot answers exactly like a missing one. */
export async function showAgentBot({ db, accountId }: ServiceContext, id: number): Promise<AgentBotRow> {
  const [row] = await db
    .select()
    .from(agentBots)
    .where(and(eq(agentBots.id, id), usableBy(accountId)));
  if (!row) throw notFound("Agent bot");
  return row;
}

/**
 * Creates a bot: of `accountId`, or a platform bot (null) every account may attach. Its token is
 * returned once and stored as its SHA-256; its signing secret is kept to sign deliveries.
 */
export async function createAgentBot(
  db: DB,
  accountId: number | null,
  input: AgentBotInput & { name: string },
  env: WebhookUrlEnv,
): Promise<IssuedBot> {
  const set = columns(input, env);
  const { token, tokenHash } = await newBotToken();
  const [bot] = await db
    .insert(agentBots)
    .values({ ...set, name: input.name, accountId, tokenHash, secret: newSigningSecret() })
    .returning();
  return { bot, token };
}

async function updated(write: Promise<AgentBotRow[]>): Promise<AgentBotRow> {
  const [row] = await write;
  if (!row) throw notFound("Agent bot");
  return row;
}

/** Changes one of the account's own bots (a platform bot is the operator's: 404 here). */
export function updateAgentBot(
  { db, accountId }: ServiceContext,
  id: number,
  input: AgentBotInput,
  env: WebhookUrlEnv,
) {
  return updated(
    db
      .update(agentBots)
      .set({ ...columns(input, env), updatedAt: Date.now() })
      .where(ownedBy(accountId, id))
      .returning(),
  );
}

/** A new token for one of the account's bots: the old one stops working at once. */
export async function resetAgentBotToken({ db, accountId }: ServiceContext, id: number): Promise<IssuedBot> {
  const { token, tokenHash } = await newBotToken();
  const bot = await updated(
    db.update(agentBots).set({ tokenHash, updatedAt: Date.now() }).where(ownedBy(accountId, id)).returning(),
  );
  return { bot, token };
}

/** A new signing secret for one of the account's bots; the previous one keeps signing for 24 hours. */
export function resetAgentBotSecret({ db, accountId }: ServiceContext, id: number): Promise<AgentBotRow> {
  return updated(db.update(agentBots).set(rotatedSecret(agentBots.secret)).where(ownedBy(accountId, id)).returning());
}

/**
 * The statements that delete the bot `which` selects, in one batch: the columns that name it
 * without an ON DELETE action (conversations' bot assignee, inboxes' bot, deliveries' bot) are
 * cleared first, each only if the bot is the one being deleted, then the bot itself (returned).
 * A bot holds conversations of the inboxes it is attached to only (`setInboxBot` lets go of the
 * others), so those are found through the inboxes. The conversations it held stay pending, for an
 * agent to pick up.
 */
function deletionStatements(db: DB, id: number, which: SQL): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  const doomed = sql`${id} in (select ${agentBots.id} from ${agentBots} where ${which})`;
  const attached = sql`(select ${inboxes.id} from ${inboxes} where ${inboxes.agentBotId} = ${id})`;
  return [
    db
      .update(conversations)
      .set({ assigneeAgentBotId: null })
      .where(and(sql`${conversations.inboxId} in ${attached}`, eq(conversations.assigneeAgentBotId, id), doomed)),
    db
      .update(inboxes)
      .set({ agentBotId: null })
      .where(and(eq(inboxes.agentBotId, id), doomed)),
    db.delete(deliveries).where(and(eq(deliveries.agentBotId, id), doomed)),
    db.delete(agentBots).where(which).returning({ id: agentBots.id }),
  ];
}

async function deleteBot(db: DB, id: number, which: SQL) {
  const results = await db.batch(deletionStatements(db, id, which));
  if (!(results[results.length - 1] as { id: number }[])[0]) throw notFound("Agent bot");
}

/** Deletes one of the account's own bots (see `deletionStatements`). */
export const deleteAgentBot = ({ db, accountId }: ServiceContext, id: number) =>
  deleteBot(db, id, ownedBy(accountId, id));

/**
 * Attaches a bot the account may use to one of its inboxes (null detaches), in one round trip:
 * the guarded writes, and the bot read alongside to tell a missing bot from a missing inbox.
 * New conversations of the inbox then start pending, held by the bot. The conversations a bot
 * that leaves the inbox held are let go of (they stay pending, for an agent): a bot holds
 * conversations of its own inboxes only.
 */
export async function setInboxBot(ctx: AgentContext, inboxId: number, botId: number | null) {
  const { db, accountId } = ctx;
  const usable = botId === null ? sql`1` : sql`${botId} in (select id from agent_bots where ${usableBy(accountId)})`;
  const allowed = sql`${inboxId} in (select ${inboxes.id} from ${inboxes}
    where ${inboxes.accountId} = ${accountId} and ${inboxes.id} = ${inboxId}) and ${usable}`;
  const [, changed, bot] = await db.batch([
    db
      .update(conversations)
      .set({ assigneeAgentBotId: null })
      .where(
        and(
          eq(conversations.inboxId, inboxId),
          sql`${conversations.assigneeAgentBotId} is not null and ${conversations.assigneeAgentBotId} is not ${botId}`,
          allowed,
        ),
      ),
    db
      .update(inboxes)
      .set({ agentBotId: botId, updatedAt: Date.now() })
      .where(and(eq(inboxes.id, inboxId), allowed))
      .returning({ id: inboxes.id }),
    db
      .select()
      .from(agentBots)
      .where(and(eq(agentBots.id, botId ?? 0), usableBy(accountId))),
  ]);
  if (botId !== null && !bot[0]) throw notFound("Agent bot");
  if (!changed[0]) throw notFound("Inbox");
  return bot[0] ?? null;
}

/** The bot attached to an inbox the caller may see (null when none); a hidden inbox answers 404. */
export async function inboxBot({ db, accountId, actor }: AgentContext, inboxId: number): Promise<AgentBotRow | null> {
  const [row] = await db
    .select({ inboxId: inboxes.id, bot: agentBots })
    .from(inboxes)
    .leftJoin(agentBots, eq(agentBots.id, inboxes.agentBotId))
    .where(and(eq(inboxes.accountId, accountId), eq(inboxes.id, inboxId), seesInbox(viewerOf(actor), inboxes.id)));
  if (!row) throw notFound("Inbox");
  return row.bot;
}

// The operator's (Platform API): every bot, whoever owns it.

export function listAllAgentBots(db: DB): Promise<AgentBotRow[]> {
  return db.select().from(agentBots).orderBy(asc(agentBots.id));
}

export async function findAgentBot(db: DB, id: number): Promise<AgentBotRow> {
  const [row] = await db.select().from(agentBots).where(eq(agentBots.id, id));
  if (!row) throw notFound("Agent bot");
  return row;
}

/** A bot for `accountId` (which must exist: 422 otherwise) or, without one, a platform bot. */
export async function createPlatformAgentBot(
  db: DB,
  input: AgentBotInput & { name: string; account_id?: number | null },
  env: WebhookUrlEnv,
): Promise<IssuedBot> {
  const accountId = input.account_id ?? null;
  if (accountId !== null) {
    const [account] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId));
    if (!account)
      throw unprocessable("Validation failed: account_id: does not exist", [
        { field: "account_id", message: "does not exist" },
      ]);
  }
  return createAgentBot(db, accountId, input, env);
}

export const updateAnyAgentBot = (db: DB, id: number, input: AgentBotInput, env: WebhookUrlEnv) =>
  updated(
    db
      .update(agentBots)
      .set({ ...columns(input, env), updatedAt: Date.now() })
      .where(eq(agentBots.id, id))
      .returning(),
  );

export const deleteAnyAgentBot = (db: DB, id: number) => deleteBot(db, id, eq(agentBots.id, id));

/**
 * A contact's message never reached the bot holding their conversation (its delivery failed for
 * good): the conversation is opened for agents, as Chatwoot does once a bot's webhook gives up,
 * and routed. Nothing happens if the bot no longer holds it pending.
 */
export async function handOffAfterBotFailure(db: DB, outbox: Outbox, conversationId: number, botId: number) {
  const [row] = await conversationViews(db, eq(conversations.id, conversationId));
  if (!row) return;
  const view = toView(row);
  const c = view.conversation;
  if (c.status !== "pending" || c.assigneeAgentBotId !== botId) return;
  const ctx = { db, accountId: c.accountId, actor: null, outbox, origin: "" };
  await toggleStatus(ctx, view, AUTOMATION, "open");
}
