import { api, ok } from "../api";
import { BASE } from "../router";
import { useSession } from "../session";
import { Alert, useLoad } from "./ui";

export function ContactPanel({ conversationId }: { conversationId: number }) {
  const { me } = useSession();
  const account_id = me.accountId;
  const data = useLoad(async () => {
    const conversation = await ok(
      api.GET("/api/v1/accounts/{account_id}/conversations/{conversation_id}", {
        params: { path: { account_id, conversation_id: conversationId } },
      }),
    );
    const id = conversation.meta.sender.id;
    const [contact, others] = await Promise.all([
      ok(api.GET("/api/v1/accounts/{account_id}/contacts/{id}", { params: { path: { account_id, id } } })),
      ok(
        api.GET("/api/v1/accounts/{account_id}/contacts/{id}/conversations", { params: { path: { account_id, id } } }),
      ),
    ]);
    return { contact: contact.payload, others: others.payload.filter((c) => c.id !== conversationId) };
  }, [conversationId]);

  const contact = data.data?.contact;
  const attrs = Object.entries(contact?.custom_attributes ?? {});
  return (
    <aside class="contact-pane" aria-labelledby="contact-title">
      <h2 id="contact-title">Contact</h2>
      <Alert>{data.error}</Alert>
      {contact && (
        <>
          <p class="contact-name">{contact.name}</p>
          <dl class="facts">
            <dt>Identifier</dt>
            <dd>{contact.identifier ?? "—"}</dd>
            <dt>E-mail</dt>
            <dd>{contact.email ?? "—"}</dd>
            <dt>Phone</dt>
            <dd>{contact.phone_number ?? "—"}</dd>
          </dl>
          <h3>Custom attributes</h3>
          {attrs.length ? (
            <dl class="facts">
              {attrs.map(([k, v]) => (
                <>
                  <dt key={`k${k}`}>{k}</dt>
                  <dd key={`v${k}`}>{typeof v === "string" ? v : JSON.stringify(v)}</dd>
                </>
              ))}
            </dl>
          ) : (
            <p class="muted">None</p>
          )}
          <h3>Other conversations</h3>
          {data.data!.others.length ? (
            <ul class="plain">
              {data.data!.others.map((c) => (
                <li key={c.id}>
                  <a href={`${BASE}/conversations/${c.id}`}>
                    #{c.id} ({c.status})
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">None</p>
          )}
        </>
      )}
    </aside>
  );
}
