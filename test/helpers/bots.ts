import { expect } from "vitest";
import { eq } from "drizzle-orm";
import { agentBots } from "../../src/db/schema";
import { as, platform, testDb, unique, type World } from "./factories";

export type Bot = { id: number; token: string; secret: string; name: string };

/** Creates a bot of the world's account through the API (its administrator), with its token and secret. */
export async function createBot(w: World, fields: Record<string, unknown> = {}): Promise<Bot> {
  const res = await as(w.admin).post(`${w.base}/agent_bots`, { name: unique("Bot"), ...fields });
  expect(res.status, res.text).toBe(200);
  return { id: res.body.id, token: res.body.access_token, secret: res.body.secret, name: res.body.name };
}

/** Creates a platform bot (no account) through the Platform API. */
export async function createPlatformBot(fields: Record<string, unknown> = {}): Promise<Bot> {
  const res = await platform().post("/platform/api/v1/agent_bots", { name: unique("Platform bot"), ...fields });
  expect(res.status, res.text).toBe(200);
  return { id: res.body.id, token: res.body.access_token, secret: res.body.secret, name: res.body.name };
}

/** Points a bot at a URL the API would refuse (the tests' receiver is on 127.0.0.1), writing the row. */
export const pointBotAt = (botId: number, url: string) =>
  testDb().update(agentBots).set({ outgoingUrl: url }).where(eq(agentBots.id, botId));

/** Attaches a bot to an inbox of the world (its administrator), checking the answer. */
export async function attachBot(w: World, inboxId: number, botId: number | null) {
  const res = await as(w.admin).post(`${w.base}/inboxes/${inboxId}/set_agent_bot`, { agent_bot: botId });
  expect(res.status, res.text).toBe(200);
  return res;
}
