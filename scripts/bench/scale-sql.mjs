// Bulk rows for the scale bench, as SQL that SQLite generates itself (recursive CTEs), so a
// million messages cost one statement rather than a million requests. Every NOT NULL column is
// set and every unique index respected: contacts (account_id, identifier/email), contact_inboxes
// (inbox_id, source_id) and pubsub_token, conversations (account_id, display_id) and uuid.

/**
 * SQL adding `contacts` contacts (each with a session in the inbox), `conversations`
 * conversations (display ids after the account's last one) and `messages` messages spread over
 * them, to one existing account and inbox; then raises accounts.last_display_id to the new maximum.
 * One message in 997 mentions "refund" (a prime, so they land in different conversations) and one
 * contact in 100 is named "... Refundsson", so those searches find more the bigger the account;
 * exactly 20 messages mention a "chargeback" and 10 contacts are named "... Quartermaine" in any
 * account, so those searches find as much at every size.
 * The messages' words go into message_terms (the search index) in the same run.
 */
export function accountRowsSql({ accountId: a, inboxId, agentId, contacts, conversations, messages, startMs }) {
  const t0 = Math.floor(startMs);
  // 20 messages a step apart; one less than messages / 20, so they land in 20 different conversations.
  const messageStep = Math.max(1, Math.floor(messages / 20) - 1);
  const contactStride = Math.max(1, Math.floor(contacts / 10));
  const displayBase = `(SELECT last_display_id FROM accounts WHERE id = ${a})`;
  const range = (n) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})`;
  const statements = [
    `${range(contacts)}
INSERT INTO contacts (account_id, name, email, identifier, blocked, custom_attributes, additional_attributes,
  last_activity_at, created_at, updated_at)
SELECT ${a}, 'Scale Customer ' || i || CASE WHEN i % 100 = 0 THEN ' Refundsson'
    WHEN i % ${contactStride} = 1 AND i <= ${contactStride * 10} THEN ' Quartermaine' ELSE '' END,
  'scale-${a}-' || i || '@example.test', 'scale-${a}-' || i, 0, '{}', '{}', ${t0} + i * 1000, ${t0} + i, ${t0} + i
FROM n;`,
    `INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, pubsub_token, hmac_verified, created_at, updated_at)
SELECT id, ${inboxId}, identifier, 'scale-pubsub-' || identifier, 0, created_at, created_at
FROM contacts WHERE account_id = ${a} AND identifier LIKE 'scale-${a}-%';`,
    `${range(conversations)}
INSERT INTO conversations (account_id, display_id, uuid, inbox_id, contact_id, contact_inbox_id, status, assignee_id,
  labels, custom_attributes, additional_attributes, muted, last_activity_at, created_at, updated_at)
SELECT ${a}, ${displayBase} + i, printf('%08x-5ca1-4000-8000-%012x', ${a}, i), ${inboxId}, ci.contact_id, ci.id,
  CASE i % 10 WHEN 7 THEN 'resolved' WHEN 8 THEN 'resolved' WHEN 9 THEN 'pending' ELSE 'open' END,
  CASE WHEN i % 3 = 0 THEN ${agentId} ELSE NULL END,
  '[]', '{}', '{}', 0, ${t0} + i * 10000, ${t0} + i * 10000, ${t0} + i * 10000
FROM n JOIN contact_inboxes ci ON ci.inbox_id = ${inboxId}
  AND ci.source_id = 'scale-${a}-' || ((i - 1) % ${contacts} + 1);`,
    // Messages interleave across conversations, as they arrive in a live account.
    `${range(messages)}
INSERT INTO messages (account_id, inbox_id, conversation_id, content, message_type, content_type, content_attributes,
  additional_attributes, private, status, sender_type, sender_id, created_at, updated_at)
SELECT ${a}, ${inboxId}, c.id,
  'Message ' || i || CASE WHEN i % 997 = 0 THEN ' about a refund'
    WHEN (i - 1) % ${messageStep} = 0 AND i <= ${messageStep * 20} THEN ' about a chargeback'
    ELSE ' about order ' || (i * 7919 % 100003) END,
  CASE WHEN i % 2 = 1 THEN 'incoming' ELSE 'outgoing' END, 'text', '{}', '{}', 0, 'sent',
  CASE WHEN i % 2 = 1 THEN 'Contact' ELSE 'User' END, CASE WHEN i % 2 = 1 THEN c.contact_id ELSE ${agentId} END,
  ${t0} + i * 100, ${t0} + i * 100
FROM n JOIN conversations c ON c.account_id = ${a}
  AND c.display_id = ${displayBase} + ((i - 1) % ${conversations}) + 1;`,
    // Their search words, as the app's tokenizer would cut them: the content is lower-case-able
    // ASCII words and digits separated by single spaces, so splitting on spaces is the same cut.
    // Only this SQL's messages (created 400 days back); the API-seeded ones were indexed when written.
    `INSERT INTO message_terms (account_id, term, conversation_id, message_id)
SELECT m.account_id, w.value, m.conversation_id, m.id
FROM messages m, json_each('["' || replace(lower(m.content), ' ', '","') || '"]') w
WHERE m.account_id = ${a} AND m.created_at <= ${t0} + ${messages} * 100
ORDER BY 1, 2, 3, 4;`,
    // Nothing for the cron's backfill to revisit: every message so far is indexed.
    `INSERT INTO message_terms_backfill (id, next_id, end_id) SELECT 1, max(id), max(id) FROM messages WHERE true
ON CONFLICT DO NOTHING;`,
    `UPDATE conversations SET last_message_id = (SELECT max(m.id) FROM messages m
      WHERE m.conversation_id = conversations.id)
WHERE account_id = ${a} AND display_id > ${displayBase};`,
    `UPDATE accounts SET last_display_id = (SELECT max(display_id) ` +
      `FROM conversations WHERE account_id = ${a}) WHERE id = ${a};`,
  ];
  return statements.join("\n");
}
