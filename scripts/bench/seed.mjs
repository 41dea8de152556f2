// Seeds a running dev server through its own APIs: accounts, users and memberships through the
// Platform API (operator token), then inboxes, inbox members, contacts, conversations and
// messages through the Application API as each account's administrator.
import { client, platformToken } from "./client.mjs";

const P = "/platform/api/v1";
let seq = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

/** One account with an administrator, an agent, an API inbox both belong to, and `contacts` contacts. */
export async function seedAccount(
  baseUrl,
  { name, contacts = 3, conversationsPerContact = 1, messagesPerConversation = 2, webhookUrl } = {},
) {
  const platform = client(baseUrl, platformToken());
  const account = await platform.post(`${P}/accounts`, { name: unique(name) });
  const user = async (label, role) => {
    const u = await platform.post(`${P}/users`, {
      name: label,
      email: `${unique(label.toLowerCase())}@bench.test`,
      password: "Bench-password-1",
    });
    await platform.post(`${P}/accounts/${account.id}/account_users`, { user_id: u.id, role });
    return { id: u.id, token: u.access_token, email: u.email };
  };
  const admin = await user("Admin", "administrator");
  const agent = await user("Agent", "agent");

  const base = `/api/v1/accounts/${account.id}`;
  const api = client(baseUrl, admin.token);
  const inbox = await api.post(`${base}/inboxes`, {
    name: "Bench inbox",
    enable_auto_assignment: false,
    channel: { type: "api", ...(webhookUrl ? { webhook_url: webhookUrl } : {}) },
  });
  await api.post(`${base}/inbox_members`, { inbox_id: inbox.id, user_ids: [admin.id, agent.id] });

  const seeded = [];
  for (let i = 0; i < contacts; i++) {
    const created = await api.post(`${base}/contacts`, {
      name: `Bench Customer ${i}`,
      email: `${unique("customer")}@bench.test`,
      identifier: unique("user"),
      inbox_id: inbox.id,
    });
    const contact = created.payload.contact;
    const sourceId = created.payload.contact_inbox.source_id;
    const conversations = [];
    for (let c = 0; c < conversationsPerContact; c++) {
      const conversation = await api.post(`${base}/conversations`, { inbox_id: inbox.id, contact_id: contact.id });
      const messages = [];
      for (let m = 0; m < messagesPerConversation; m++) {
        const incoming = m % 2 === 0;
        messages.push(
          await api.post(`${base}/conversations/${conversation.id}/messages`, {
            content: incoming ? `Customer question ${m}` : `Agent answer ${m}`,
            message_type: incoming ? "incoming" : "outgoing",
          }),
        );
      }
      conversations.push({ id: conversation.id, uuid: conversation.uuid, messages });
    }
    seeded.push({ contact, sourceId, conversations });
  }
  return { account, admin, agent, inbox, base, contacts: seeded };
}

/** A few accounts: the first is the one the load runs against, the others are neighbours. */
export async function seedWorld(baseUrl, { accounts = 3, contacts = 4, webhookUrl } = {}) {
  const worlds = [];
  for (let a = 0; a < accounts; a++)
    worlds.push(
      await seedAccount(baseUrl, {
        name: `Bench ${a}`,
        contacts,
        conversationsPerContact: 2,
        messagesPerConversation: 3,
        webhookUrl: a === 0 ? webhookUrl : undefined,
      }),
    );
  return worlds;
}
