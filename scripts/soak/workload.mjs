// The soak's load: integrators posting end users' messages through the client API, and agents
// answering each one through the Application API. Every write carries an Idempotency-Key and
// an echo_id, and is retried with the same ones until it gets a final answer.
import { call } from "./http.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What the server acknowledged (a 2xx, first answer or replay), which the checks compare with D1. */
export function newLedger() {
  return {
    contacts: new Set(),
    conversations: new Set(),
    incoming: new Map(), // echo_id -> message id
    replies: new Map(), // echo_id -> message id
    replySentAt: new Map(), // message id -> when its POST was first sent
    replayed: 0,
    errors: [],
  };
}

/**
 * One integrator: until `deadline`, a new end user (contact), a conversation, then 3-6 messages.
 * It has its own client IP (`cf-connecting-ip`), so the client API's per-IP budget is its own.
 */
export async function integrator({ target, inbox, index, prefix, deadline, ledger, toAnswer }) {
  const headers = { "cf-connecting-ip": `10.77.${Math.floor(index / 250)}.${(index % 250) + 1}` };
  const base = `/public/api/v1/inboxes/${inbox.identifier}`;
  for (let user = 0; Date.now() < deadline; user++) {
    const tag = `${prefix}-${index}-${user}`;
    try {
      const identifier = `${tag}-user`;
      const contact = await call(target, "POST", `${base}/contacts`, {
        body: { identifier, name: `Soak user ${index}-${user}` },
        headers,
        key: `${tag}-contact`,
      });
      ledger.contacts.add(identifier);
      const sourceId = contact.body.source_id;
      const conv = await call(target, "POST", `${base}/contacts/${sourceId}/conversations`, {
        body: {},
        headers,
        key: `${tag}-conversation`,
      });
      ledger.conversations.add(`${inbox.id}:${conv.body.id}`);
      const count = 3 + (user % 4);
      for (let m = 0; m < count && Date.now() < deadline; m++) {
        const echo = `${prefix}-in-${index}-${user}-${m}`;
        const res = await call(target, "POST", `${base}/contacts/${sourceId}/conversations/${conv.body.id}/messages`, {
          body: { content: `Message ${m} from user ${index}-${user}`, echo_id: echo },
          headers,
          key: `${echo}-key`,
        });
        if (res.replayed) ledger.replayed++;
        ledger.incoming.set(echo, res.body.id);
        toAnswer.push({ inbox, conversationId: conv.body.id, echo });
      }
    } catch (err) {
      ledger.errors.push(String(err.message ?? err));
    }
  }
}

/**
 * One agent: answers queued messages until the integrators are done and the queue is empty, or
 * until `stopAt` (what is left then stays unanswered and is reported). The reply's echo_id is
 * derived from the message it answers, so a retry can never store two.
 */
export async function agent({ target, agent: me, accountId, prefix, ledger, toAnswer, done, stopAt }) {
  const headers = { api_access_token: me.token };
  while (Date.now() < stopAt) {
    const job = toAnswer.shift();
    if (!job) {
      if (done()) break;
      await sleep(50);
      continue;
    }
    const echo = `${prefix}-re-${job.echo.slice(`${prefix}-in-`.length)}`;
    const sentAt = Date.now();
    try {
      const res = await call(
        target,
        "POST",
        `/api/v1/accounts/${accountId}/conversations/${job.conversationId}/messages`,
        {
          body: { content: `Reply to ${job.echo}`, echo_id: echo },
          headers,
          key: `${echo}-key`,
        },
      );
      if (res.replayed) ledger.replayed++;
      ledger.replies.set(echo, res.body.id);
      ledger.replySentAt.set(res.body.id, sentAt);
    } catch (err) {
      ledger.errors.push(String(err.message ?? err));
    }
  }
}
