import { useState } from "preact/hooks";
import { api, ok, type Webhook } from "../api";
import { Deliveries } from "../components/deliveries";
import { Alert, Secret, useAction, useLoad } from "../components/ui";
import { useSession } from "../session";

/** Settings → Integrations → Webhooks: account webhooks, their secrets and delivery logs. */
export function Webhooks() {
  const { me } = useSession();
  const account_id = me.accountId;
  const hooks = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/webhooks", { params: { path: { account_id } } })),
    [account_id],
  );
  const events = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/webhooks/events", { params: { path: { account_id } } })),
    [account_id],
  );
  const inboxes = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/inboxes", { params: { path: { account_id } } })),
    [account_id],
  );
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const { run, error } = useAction();

  return (
    <section class="page" aria-labelledby="webhooks-title">
      <p class="crumbs">Integrations</p>
      <div class="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
        <button type="button" class="primary" onClick={() => setEditing("new")}>
          Add webhook
        </button>
      </div>
      <p class="muted">
        Konversio POSTs the events you subscribe to (message_created for agent replies) to each URL, signed with its
        secret.
      </p>
      <Alert>{hooks.error ?? error}</Alert>
      {editing && events.data && (
        <WebhookForm
          webhook={editing === "new" ? null : editing}
          events={events.data.payload}
          inboxes={inboxes.data?.payload ?? []}
          onDone={() => {
            setEditing(null);
            hooks.reload();
          }}
        />
      )}
      <ul class="plain webhook-list">
        {hooks.data?.payload.webhooks.map((w) => (
          <li class="panel" key={w.id} aria-label={`Webhook ${w.name ?? w.url}`}>
            <div class="page-head">
              <h2 class="wrap">{w.name || w.url}</h2>
              <div class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => setEditing(w)}
                  aria-label={`Edit webhook ${w.name ?? w.url}`}
                >
                  Edit
                </button>
                <button
                  type="button"
                  class="small danger"
                  aria-label={`Delete webhook ${w.name ?? w.url}`}
                  onClick={() => {
                    if (confirm(`Delete the webhook to ${w.url}?`))
                      run(async () => {
                        await ok(
                          api.DELETE("/api/v1/accounts/{account_id}/webhooks/{id}", {
                            params: { path: { account_id, id: w.id } },
                          }),
                        );
                        hooks.reload();
                      });
                  }}
                >
                  Delete
                </button>
              </div>
            </div>
            <dl class="facts">
              <dt>URL</dt>
              <dd class="wrap">{w.url}</dd>
              <dt>Events</dt>
              <dd>{w.subscriptions.join(", ")}</dd>
              <dt>Inbox</dt>
              <dd>{w.inbox ? (w.inbox as { name: string }).name : "All inboxes"}</dd>
              <dt>State</dt>
              <dd>{w.webhook_disabled ? "Paused after repeated failures" : "Active"}</dd>
            </dl>
            <Secret label={`Signing secret of ${w.name || w.url}`} value={w.secret}>
              <button
                type="button"
                class="small"
                onClick={() => {
                  if (confirm("Rotate the signing secret? Receivers must switch to the new one."))
                    run(async () => {
                      await ok(
                        api.POST("/api/v1/accounts/{account_id}/webhooks/{id}/reset_secret", {
                          params: { path: { account_id, id: w.id } },
                        }),
                      );
                      hooks.reload();
                    });
                }}
              >
                Rotate secret
              </button>
            </Secret>
            <Deliveries
              title={`Delivery log of ${w.name || w.url}`}
              load={() =>
                ok(
                  api.GET("/api/v1/accounts/{account_id}/webhooks/{id}/deliveries", {
                    params: { path: { account_id, id: w.id } },
                  }),
                )
              }
              redeliver={(delivery_id) =>
                ok(
                  api.POST("/api/v1/accounts/{account_id}/webhooks/{id}/deliveries/{delivery_id}/redeliver", {
                    params: { path: { account_id, id: w.id, delivery_id } },
                  }),
                )
              }
            />
          </li>
        ))}
      </ul>
      {hooks.data && hooks.data.payload.webhooks.length === 0 && <p class="muted">No webhooks yet.</p>}
    </section>
  );
}

function WebhookForm({
  webhook,
  events,
  inboxes,
  onDone,
}: {
  webhook: Webhook | null;
  events: string[];
  inboxes: { id: number; name: string }[];
  onDone: () => void;
}) {
  const { me } = useSession();
  const account_id = me.accountId;
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [name, setName] = useState(webhook?.name ?? "");
  const [subs, setSubs] = useState<Set<string>>(new Set(webhook?.subscriptions ?? ["message_created"]));
  const [inboxId, setInboxId] = useState(webhook?.inbox ? String((webhook.inbox as { id: number }).id) : "");
  const { run, error, busy } = useAction();
  return (
    <form
      class="panel form"
      aria-label={webhook ? "Edit webhook" : "New webhook"}
      onSubmit={(e) => {
        e.preventDefault();
        run(async () => {
          const body = {
            url: url.trim(),
            name: name.trim() || null,
            subscriptions: [...subs],
            inbox_id: inboxId ? Number(inboxId) : null,
          };
          if (webhook)
            await ok(
              api.PATCH("/api/v1/accounts/{account_id}/webhooks/{id}", {
                params: { path: { account_id, id: webhook.id } },
                body,
              }),
            );
          else await ok(api.POST("/api/v1/accounts/{account_id}/webhooks", { params: { path: { account_id } }, body }));
          onDone();
        });
      }}
    >
      <h2>{webhook ? "Edit webhook" : "New webhook"}</h2>
      <label>
        Webhook URL
        <input
          type="url"
          required
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          placeholder="https://example.com/hooks/konversio"
        />
      </label>
      <label>
        Name (optional)
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Inbox
        <select value={inboxId} onChange={(e) => setInboxId(e.currentTarget.value)}>
          <option value="">All inboxes</option>
          {inboxes.map((i) => (
            <option key={i.id} value={String(i.id)}>
              {i.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="events">
        <legend>Events</legend>
        {events.map((ev) => (
          <label class="check" key={ev}>
            <input
              type="checkbox"
              checked={subs.has(ev)}
              onChange={(e) => {
                const next = new Set(subs);
                if (e.currentTarget.checked) next.add(ev);
                else next.delete(ev);
                setSubs(next);
              }}
            />
            {ev}
          </label>
        ))}
      </fieldset>
      <Alert>{error}</Alert>
      <div class="actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy || subs.size === 0}>
          {webhook ? "Save webhook" : "Create webhook"}
        </button>
      </div>
    </form>
  );
}
