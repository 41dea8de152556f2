// What the soak asserts once the server is stopped: straight from the local D1 database, and
// from what the receiver saw.
import { queryLocalD1 } from "../dev-server.mjs";

const count = (rows) => Number(rows[0]?.n ?? 0);

/**
 * Every check, as `{ name, ok, detail }`. `acked` is what the clients were told was stored:
 * `{ contacts: Set<identifier>, conversations: Set<"inbox:id">, incoming: Map<echo, messageId>, replies:
 * Map<echo, messageId> }`.
 */
export async function runChecks({ persistDir, world, acked, receiver, prefix }) {
  const q = (sql) => queryLocalD1(persistDir, sql);
  const account = world.accountId;
  const inboxIds = world.inboxes.map((i) => i.id).join(",");
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok, detail });

  const messageChecks = async (label, messageType, echoPrefix, ackedMap) => {
    const dupes = await q(
      `SELECT conversation_id, echo_id, count(*) AS n FROM messages WHERE account_id = ${account}
        AND echo_id LIKE '${echoPrefix}%'
       GROUP BY conversation_id, echo_id HAVING n > 1 LIMIT 20`,
    );
    const stored = await q(
      `SELECT id, echo_id FROM messages WHERE account_id = ${account} AND ` +
        `message_type = '${messageType}' AND echo_id LIKE '${echoPrefix}%'`,
    );
    const storedEcho = new Map(stored.map((r) => [r.echo_id, r.id]));
    const missing = [...ackedMap.keys()].filter((e) => !storedEcho.has(e));
    const wrongId = [...ackedMap].filter(([e, id]) => storedEcho.has(e) && storedEcho.get(e) !== id);
    const unacked = [...storedEcho.keys()].filter((e) => !ackedMap.has(e));
    check(
      `${label} stored exactly once per echo_id`,
      dupes.length === 0,
      dupes.length ? JSON.stringify(dupes) : `${stored.length} rows`,
    );
    check(
      `${label} stored = acknowledged`,
      missing.length === 0 && wrongId.length === 0 && unacked.length === 0 && stored.length === ackedMap.size,
      `stored ${stored.length}, acknowledged ${ackedMap.size}, missing ${missing.length}, ` +
        `stored but unacknowledged ${unacked.length}, id mismatch ${wrongId.length}`,
    );
  };
  await messageChecks("integrator messages", "incoming", `${prefix}-in-`, acked.incoming);
  await messageChecks("agent replies", "outgoing", `${prefix}-re-`, acked.replies);

  const contactDupes = await q(
    `SELECT identifier, count(*) AS n FROM contacts WHERE account_id ` +
      `= ${account} GROUP BY identifier HAVING n > 1 LIMIT 20`,
  );
  const contacts = count(await q(`SELECT count(*) AS n FROM contacts WHERE account_id = ${account}`));
  check(
    "no duplicated contacts",
    contactDupes.length === 0 && contacts === acked.contacts.size,
    `${contacts} stored, ${acked.contacts.size} acknowledged`,
  );

  const convDupes = await q(
    `SELECT contact_id, count(*) AS n FROM conversations WHERE ` +
      `account_id = ${account} GROUP BY contact_id HAVING n > 1 LIMIT 20`,
  );
  const conversations = count(await q(`SELECT count(*) AS n FROM conversations WHERE account_id = ${account}`));
  check(
    "no duplicated conversations",
    convDupes.length === 0 && conversations === acked.conversations.size,
    `${conversations} stored, ${acked.conversations.size} acknowledged`,
  );

  const eventDupes = await q(
    `SELECT message_id, count(*) AS n FROM events WHERE account_id = ${account} ` +
      `AND event = 'message_created' GROUP BY message_id HAVING n > 1 LIMIT 20`,
  );
  check(
    "one message_created event per message",
    eventDupes.length === 0,
    eventDupes.length ? JSON.stringify(eventDupes) : "ok",
  );

  const byStatus = await q(
    `SELECT status, count(*) AS n FROM deliveries WHERE inbox_id IN (${inboxIds}) GROUP BY status`,
  );
  const statuses = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
  const notDelivered = Object.entries(statuses).filter(([s]) => s !== "delivered");
  check(
    "every inbox delivery delivered",
    notDelivered.length === 0 && (statuses.delivered ?? 0) > 0,
    JSON.stringify(statuses),
  );

  // From the receiver: each reply's message_created arrived, under exactly one webhook-id.
  const neverDelivered = [...acked.replies.values()].filter((id) => !receiver.messages.has(id));
  const twoIds = [...receiver.messages].filter(([, m]) => m.webhookIds.size > 1).map(([id]) => id);
  check(
    "every reply's message_created received",
    neverDelivered.length === 0,
    `${acked.replies.size - neverDelivered.length}/${acked.replies.size}`,
  );
  check(
    "one webhook-id per message",
    twoIds.length === 0,
    twoIds.length ? `messages ${twoIds.slice(0, 20).join(", ")}` : "ok",
  );
  check("all signatures valid", receiver.stats.badSignatures === 0, `${receiver.stats.badSignatures} bad`);
  return { checks, deliveries: statuses };
}
