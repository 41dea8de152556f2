import { useEffect, useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api";
import { useSession } from "../session";
import { Alert, useAction, useLoad } from "./ui";

type Contact = Schemas["Contact"];

const describe = (c: Contact) => [c.email, c.phone_number, c.identifier].filter(Boolean).join(" · ") || "no details";

/**
 * "Merge contact": find the other contact (name, e-mail, phone or identifier), choose which one
 * stays, read what will happen, confirm. The other one is deleted; `onMerged` gets the one kept.
 */
export function MergeContact({ contact, onMerged }: { contact: Contact; onMerged: (kept: Contact) => void }) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <div class="merge-open">
        <button type="button" class="small" aria-expanded="false" onClick={() => setOpen(true)}>
          Merge contact
        </button>
      </div>
    );
  return (
    <MergeForm
      contact={contact}
      onClose={() => setOpen(false)}
      onMerged={(kept) => {
        setOpen(false);
        onMerged(kept);
      }}
    />
  );
}

function MergeForm({
  contact,
  onClose,
  onMerged,
}: {
  contact: Contact;
  onClose: () => void;
  onMerged: (kept: Contact) => void;
}) {
  const { me } = useSession();
  const [input, setInput] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(input.trim()), 250);
    return () => clearTimeout(t);
  }, [input]);
  const found = useLoad(
    async () =>
      q
        ? (
            await ok(
              api.GET("/api/v1/accounts/{account_id}/contacts/search", {
                params: { path: { account_id: me.accountId }, query: { q, include_contact_inboxes: false } },
              }),
            )
          ).payload.filter((c) => c.id !== contact.id)
        : [],
    [q, contact.id],
  );
  const [other, setOther] = useState<Contact | null>(null);
  // Which one stays: by default the one found (the usual case: this conversation's contact is the duplicate).
  const [keepThis, setKeepThis] = useState(false);
  const { run, error, busy } = useAction();
  const base = other && (keepThis ? contact : other);
  const mergee = other && (keepThis ? other : contact);
  return (
    <section class="merge panel" aria-labelledby="merge-title">
      <h3 id="merge-title">Merge contact</h3>
      {!other ? (
        <>
          <label>
            Find the other contact
            <input
              type="search"
              value={input}
              placeholder="Name, e-mail, phone or identifier"
              onInput={(e) => setInput(e.currentTarget.value)}
            />
          </label>
          <Alert>{found.error}</Alert>
          {q && found.data?.length === 0 && <p class="muted">No other contact matches.</p>}
          <ul class="plain merge-results">
            {found.data?.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  class="link"
                  aria-label={`Choose ${c.name} (${describe(c)})`}
                  onClick={() => setOther(c)}
                >
                  {c.name || "(no name)"}
                </button>
                <span class="muted"> {describe(c)}</span>
              </li>
            ))}
          </ul>
          <div class="actions">
            <button type="button" class="small" onClick={onClose}>
              Cancel
            </button>
          </div>
        </>
      ) : (
        <form
          class="form"
          aria-label="Confirm the merge"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              const kept = await ok(
                api.POST("/api/v1/accounts/{account_id}/actions/contact_merge", {
                  params: { path: { account_id: me.accountId } },
                  body: { base_contact_id: base!.id, mergee_contact_id: mergee!.id },
                }),
              );
              onMerged(kept);
            });
          }}
        >
          <fieldset>
            <legend>Which contact stays?</legend>
            <label class="check">
              <input type="radio" name="keep" checked={!keepThis} onChange={() => setKeepThis(false)} />
              {other.name || "(no name)"} ({describe(other)})
            </label>
            <label class="check">
              <input type="radio" name="keep" checked={keepThis} onChange={() => setKeepThis(true)} />
              {contact.name || "(no name)"}, this conversation's contact
            </label>
          </fieldset>
          <div class="merge-explain" id="merge-explain">
            <p>
              Everything of <strong>{mergee!.name}</strong> moves to <strong>{base!.name}</strong>: conversations,
              sessions in every inbox, notes, labels and messages.
            </p>
            <p>
              {base!.name} keeps its own name, e-mail, phone and identifier; {mergee!.name}'s fill in only what{" "}
              {base!.name} has none of.
            </p>
            <p>
              <strong>{mergee!.name} is then deleted.</strong> This cannot be undone.
            </p>
          </div>
          <Alert>{error}</Alert>
          <div class="actions">
            <button type="submit" class="small danger" disabled={busy} aria-describedby="merge-explain">
              Merge and delete {mergee!.name}
            </button>
            <button type="button" class="small" onClick={() => setOther(null)}>
              Back
            </button>
            <button type="button" class="small" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
