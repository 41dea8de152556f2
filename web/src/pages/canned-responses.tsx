import { useEffect, useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api";
import { Alert, useAction, useLoad } from "../components/ui";
import { useSession } from "../session";

type Canned = Schemas["CannedResponse"];

/** Every agent of the account manages its canned responses (as in Chatwoot). */
export function CannedResponses() {
  const { me } = useSession();
  const account_id = me.accountId;
  const [searchInput, setSearchInput] = useState("");
  const [search, setSearch] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setSearch(searchInput.trim()), 250);
    return () => clearTimeout(t);
  }, [searchInput]);
  const list = useLoad(
    () =>
      ok(
        api.GET("/api/v1/accounts/{account_id}/canned_responses", {
          params: { path: { account_id }, query: { search: search || undefined } },
        }),
      ),
    [account_id, search],
  );
  const [shortCode, setShortCode] = useState("");
  const [content, setContent] = useState("");
  const { run, error, busy } = useAction();
  return (
    <section class="page" aria-labelledby="canned-title">
      <h1 id="canned-title">Canned responses</h1>
      <p class="muted">
        In a reply, type <kbd>/</kbd> and the start of a short code to insert its text.
      </p>
      <form
        class="panel form"
        aria-label="Add a canned response"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await ok(
              api.POST("/api/v1/accounts/{account_id}/canned_responses", {
                params: { path: { account_id } },
                body: { short_code: shortCode, content },
              }),
            );
            setShortCode("");
            setContent("");
            list.reload();
          });
        }}
      >
        <h2>Add a canned response</h2>
        <CannedFields shortCode={shortCode} content={content} setShortCode={setShortCode} setContent={setContent} />
        <Alert>{error}</Alert>
        <button type="submit" class="primary" disabled={busy}>
          Add canned response
        </button>
      </form>
      <label class="search">
        Search canned responses
        <input type="search" value={searchInput} onInput={(e) => setSearchInput(e.currentTarget.value)} />
      </label>
      <Alert>{list.error}</Alert>
      {list.data?.length === 0 && <p class="empty">{search ? "No canned response matches." : "None yet."}</p>}
      <ul class="plain">
        {list.data?.map((c) => (
          <CannedItem key={c.id} canned={c} onChanged={list.reload} />
        ))}
      </ul>
    </section>
  );
}

function CannedFields(props: {
  shortCode: string;
  content: string;
  setShortCode: (v: string) => void;
  setContent: (v: string) => void;
}) {
  return (
    <>
      <label>
        Short code
        <input
          required
          maxLength={100}
          value={props.shortCode}
          placeholder="refund"
          onInput={(e) => props.setShortCode(e.currentTarget.value)}
        />
      </label>
      <label>
        Content
        <textarea
          required
          rows={3}
          maxLength={10_000}
          value={props.content}
          onInput={(e) => props.setContent(e.currentTarget.value)}
        />
      </label>
    </>
  );
}

function CannedItem({ canned: c, onChanged }: { canned: Canned; onChanged: () => void }) {
  const { me } = useSession();
  const path = { account_id: me.accountId, id: c.id };
  const [editing, setEditing] = useState(false);
  const [shortCode, setShortCode] = useState(c.short_code);
  const [content, setContent] = useState(c.content);
  const { run, error, busy } = useAction();
  if (editing)
    return (
      <li class="panel">
        <form
          class="form"
          aria-label={`Edit /${c.short_code}`}
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              await ok(
                api.PATCH("/api/v1/accounts/{account_id}/canned_responses/{id}", {
                  params: { path },
                  body: { short_code: shortCode, content },
                }),
              );
              setEditing(false);
              onChanged();
            });
          }}
        >
          <CannedFields shortCode={shortCode} content={content} setShortCode={setShortCode} setContent={setContent} />
          <Alert>{error}</Alert>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  return (
    <li class="panel" aria-label={`Canned response /${c.short_code}`}>
      <div class="page-head">
        <h2 class="code">/{c.short_code}</h2>
        <div class="actions">
          <button
            type="button"
            class="small"
            aria-label={`Edit /${c.short_code}`}
            onClick={() => {
              setShortCode(c.short_code);
              setContent(c.content);
              setEditing(true);
            }}
          >
            Edit
          </button>
          <button
            type="button"
            class="small danger"
            aria-label={`Delete /${c.short_code}`}
            disabled={busy}
            onClick={() => {
              if (confirm(`Delete the canned response /${c.short_code}?`))
                run(async () => {
                  await ok(api.DELETE("/api/v1/accounts/{account_id}/canned_responses/{id}", { params: { path } }));
                  onChanged();
                });
            }}
          >
            Delete
          </button>
        </div>
      </div>
      <p class="canned-content">{c.content}</p>
      <Alert>{error}</Alert>
    </li>
  );
}
