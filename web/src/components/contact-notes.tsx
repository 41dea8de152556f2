import { useState } from "preact/hooks";
import { api, ok } from "../api";
import { useSession } from "../session";
import { Alert, time, useAction, useLoad } from "./ui";

/** What a note item shows (the generated type of a nullable `user` reads poorly). */
type Note = { id: number; content: string; created_at: number; user: { id: number; available_name: string } | null };
const NOTE_MAX = 10_000;

/** A contact's notes: every agent reads and adds; the author or an administrator edits and deletes. */
export function ContactNotes({ contactId }: { contactId: number }) {
  const { me } = useSession();
  const path = { account_id: me.accountId, contact_id: contactId };
  const notes = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/contacts/{contact_id}/notes", { params: { path } })),
    [me.accountId, contactId],
  );
  const [content, setContent] = useState("");
  const { run, error, busy } = useAction();
  return (
    <section aria-labelledby="notes-title">
      <h3 id="notes-title">Notes</h3>
      <form
        class="form"
        aria-label="Add a note"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await ok(
              api.POST("/api/v1/accounts/{account_id}/contacts/{contact_id}/notes", {
                params: { path },
                body: { content },
              }),
            );
            setContent("");
            notes.reload();
          });
        }}
      >
        <label>
          New note
          <textarea
            required
            rows={2}
            maxLength={NOTE_MAX}
            value={content}
            onInput={(e) => setContent(e.currentTarget.value)}
          />
        </label>
        <Alert>{error}</Alert>
        <div class="actions">
          <button type="submit" class="small primary" disabled={busy || !content.trim()}>
            Add note
          </button>
        </div>
      </form>
      <Alert>{notes.error}</Alert>
      {notes.data?.length === 0 && <p class="muted">No notes yet.</p>}
      <ul class="plain notes">
        {notes.data?.map((n) => (
          <NoteItem key={n.id} note={n} contactId={contactId} onChanged={notes.reload} />
        ))}
      </ul>
    </section>
  );
}

function NoteItem({ note: n, contactId, onChanged }: { note: Note; contactId: number; onChanged: () => void }) {
  const { me } = useSession();
  const path = { account_id: me.accountId, contact_id: contactId, id: n.id };
  const [editing, setEditing] = useState(false);
  const [content, setContent] = useState(n.content);
  const { run, error, busy } = useAction();
  const author = n.user?.available_name ?? "A former agent";
  const mayChange = me.isAdmin || n.user?.id === me.id;
  const who = `by ${author}, ${time(n.created_at)}`;
  if (editing)
    return (
      <li class="note">
        <form
          class="form"
          aria-label={`Edit note ${who}`}
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              await ok(
                api.PATCH("/api/v1/accounts/{account_id}/contacts/{contact_id}/notes/{id}", {
                  params: { path },
                  body: { content },
                }),
              );
              setEditing(false);
              onChanged();
            });
          }}
        >
          <label>
            Note
            <textarea
              required
              rows={3}
              maxLength={NOTE_MAX}
              value={content}
              onInput={(e) => setContent(e.currentTarget.value)}
            />
          </label>
          <Alert>{error}</Alert>
          <div class="actions">
            <button type="submit" class="small primary" disabled={busy || !content.trim()}>
              Save note
            </button>
            <button type="button" class="small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  return (
    <li class="note" aria-label={`Note ${who}`}>
      <p class="note-content">{n.content}</p>
      <p class="note-meta muted">
        {author} · {time(n.created_at)}
      </p>
      {mayChange && (
        <div class="actions">
          <button
            type="button"
            class="small"
            aria-label={`Edit note ${who}`}
            onClick={() => {
              setContent(n.content);
              setEditing(true);
            }}
          >
            Edit
          </button>
          <button
            type="button"
            class="small danger"
            aria-label={`Delete note ${who}`}
            disabled={busy}
            onClick={() => {
              if (confirm("Delete this note?"))
                run(async () => {
                  await ok(
                    api.DELETE("/api/v1/accounts/{account_id}/contacts/{contact_id}/notes/{id}", { params: { path } }),
                  );
                  onChanged();
                });
            }}
          >
            Delete
          </button>
        </div>
      )}
      <Alert>{error}</Alert>
    </li>
  );
}
