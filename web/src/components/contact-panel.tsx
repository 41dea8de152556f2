import { useState } from "preact/hooks";
import { api, ok } from "../api";
import { BASE } from "../router";
import { useSession } from "../session";
import { MergeContact } from "./contact-merge";
import { ContactNotes } from "./contact-notes";
import { Alert, useLoad } from "./ui";

export function ContactPanel({ conversationId, onMerged }: { conversationId: number; onMerged?: () => void }) {
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
  const [merged, setMerged] = useState<string | null>(null);
  const attrs = Object.entries(contact?.custom_attributes ?? {});
  return (
    <aside class="contact-pane" aria-labelledby="contact-title">
      <h2 id="contact-title">Contact</h2>
      <Alert>{data.error}</Alert>
      {merged && (
        <p class="notice" role="status">
          {merged}
        </p>
      )}
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
          <ContactNotes key={contact.id} contactId={contact.id} />
          <MergeContact
            key={`merge-${contact.id}`}
            contact={contact}
            onMerged={(kept) => {
              setMerged(`Merged: this conversation's contact is now ${kept.name}. The other contact was deleted.`);
              data.reload();
              onMerged?.();
            }}
          />
        </>
      )}
    </aside>
  );
}
