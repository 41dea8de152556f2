import { useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api";
import { Alert, useAction, useLoad } from "../components/ui";
import { useSession } from "../session";

type Label = Schemas["Label"];
type Fields = { title: string; description: string; color: string; show_on_sidebar: boolean };
const EMPTY: Fields = { title: "", description: "", color: "#1f93ff", show_on_sidebar: true };
const fieldsOf = (l: Label): Fields => ({
  title: l.title,
  description: l.description ?? "",
  color: l.color,
  show_on_sidebar: l.show_on_sidebar,
});
const bodyOf = (f: Fields) => ({ ...f, description: f.description.trim() || null });

/** The account's labels (administrators manage them; the API lets every agent read them). */
export function Labels() {
  const { me } = useSession();
  const account_id = me.accountId;
  const labels = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/labels", { params: { path: { account_id } } })),
    [account_id],
  );
  const [fields, setFields] = useState<Fields>(EMPTY);
  const { run, error, busy } = useAction();
  return (
    <section class="page" aria-labelledby="labels-title">
      <h1 id="labels-title">Labels</h1>
      <form
        class="panel form"
        aria-label="Add a label"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await ok(
              api.POST("/api/v1/accounts/{account_id}/labels", {
                params: { path: { account_id } },
                body: bodyOf(fields),
              }),
            );
            setFields(EMPTY);
            labels.reload();
          });
        }}
      >
        <h2>Add a label</h2>
        <LabelFields id="new" fields={fields} onChange={setFields} />
        <Alert>{error}</Alert>
        <button type="submit" class="primary" disabled={busy}>
          Add label
        </button>
      </form>
      <Alert>{labels.error}</Alert>
      {labels.data?.payload.length === 0 && <p class="empty">No labels yet.</p>}
      <ul class="plain">
        {labels.data?.payload.map((l) => (
          <LabelItem key={l.id} label={l} onChanged={labels.reload} />
        ))}
      </ul>
    </section>
  );
}

function LabelFields({ id, fields, onChange }: { id: string; fields: Fields; onChange: (f: Fields) => void }) {
  const set = (patch: Partial<Fields>) => onChange({ ...fields, ...patch });
  return (
    <>
      <label>
        Title
        <input
          required
          maxLength={100}
          value={fields.title}
          aria-describedby={`${id}-title-hint`}
          onInput={(e) => set({ title: e.currentTarget.value })}
        />
      </label>
      <span id={`${id}-title-hint`} class="muted hint">
        Letters, numbers, hyphens and underscores; stored in lower case.
      </span>
      <label>
        Description
        <input value={fields.description} onInput={(e) => set({ description: e.currentTarget.value })} />
      </label>
      <label class="color">
        Colour
        <input type="color" value={fields.color} onInput={(e) => set({ color: e.currentTarget.value })} />
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={fields.show_on_sidebar}
          onChange={(e) => set({ show_on_sidebar: e.currentTarget.checked })}
        />
        Offer it as a filter beside the conversation list
      </label>
    </>
  );
}

function LabelItem({ label: l, onChanged }: { label: Label; onChanged: () => void }) {
  const { me } = useSession();
  const path = { account_id: me.accountId, id: l.id };
  const [editing, setEditing] = useState<Fields | null>(null);
  const { run, error, busy } = useAction();
  if (editing)
    return (
      <li class="panel">
        <form
          class="form"
          aria-label={`Edit label ${l.title}`}
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              await ok(
                api.PATCH("/api/v1/accounts/{account_id}/labels/{id}", { params: { path }, body: bodyOf(editing) }),
              );
              setEditing(null);
              onChanged();
            });
          }}
        >
          <LabelFields id={`label-${l.id}`} fields={editing} onChange={setEditing} />
          <Alert>{error}</Alert>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  return (
    <li class="panel" aria-label={`Label ${l.title}`}>
      <div class="page-head">
        <h2 class="label-title">
          <span class="swatch" style={{ background: l.color }} aria-hidden="true" />
          {l.title}
        </h2>
        <div class="actions">
          <button
            type="button"
            class="small"
            aria-label={`Edit label ${l.title}`}
            onClick={() => setEditing(fieldsOf(l))}
          >
            Edit
          </button>
          <button
            type="button"
            class="small danger"
            aria-label={`Delete label ${l.title}`}
            disabled={busy}
            onClick={() => {
              if (confirm(`Delete the label ${l.title}? It is removed from every conversation and contact.`))
                run(async () => {
                  await ok(api.DELETE("/api/v1/accounts/{account_id}/labels/{id}", { params: { path } }));
                  onChanged();
                });
            }}
          >
            Delete
          </button>
        </div>
      </div>
      {l.description && <p class="muted">{l.description}</p>}
      <p class="muted small-print">
        Colour {l.color} · {l.show_on_sidebar ? "Shown beside the conversation list" : "Not shown beside the list"}
      </p>
      <Alert>{error}</Alert>
    </li>
  );
}
