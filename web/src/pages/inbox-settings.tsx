import { useEffect, useState } from "preact/hooks";
import { api, ok, type Inbox } from "../api";
import { Deliveries } from "../components/deliveries";
import { BusinessHours, Greeting } from "../components/inbox-auto-replies";
import { Alert, CopyButton, Secret, useAction, useLoad } from "../components/ui";
import { InboxAgentBot } from "../components/inbox-agent-bot";
import { BASE } from "../router";
import { useSession } from "../session";

export function InboxSettings({ id }: { id: number }) {
  const { me } = useSession();
  const account_id = me.accountId;
  const path = { account_id, id };
  const inbox = useLoad(() => ok(api.GET("/api/v1/accounts/{account_id}/inboxes/{id}", { params: { path } })), [id]);
  const i = inbox.data;
  return (
    <section class="page" aria-labelledby="inbox-title">
      <p>
        <a href={`${BASE}/settings/inboxes`}>← Inboxes</a>
      </p>
      <h1 id="inbox-title">{i ? i.name : "Inbox"}</h1>
      <Alert>{inbox.error}</Alert>
      {i && (
        <>
          <section class="panel" aria-labelledby="identity-title">
            <h2 id="identity-title">API channel</h2>
            <div class="secret">
              <span class="secret-label">Inbox Identifier</span>
              <output class="code" aria-label="Inbox Identifier" data-testid="inbox-identifier">
                {i.inbox_identifier}
              </output>
              <CopyButton value={i.inbox_identifier} label="Copy Inbox Identifier" />
            </div>
            <p class="muted">
              Scopes client API calls to this inbox:{" "}
              <code class="wrap">/public/api/v1/inboxes/{i.inbox_identifier}/…</code>. Full reference in{" "}
              <a href="/swagger">Swagger UI</a>.
            </p>
            <Secret label="HMAC token" value={i.hmac_token ?? ""} />
          </section>
          <InboxForm inbox={i} onSaved={inbox.setData} />
          <Greeting inbox={i} onSaved={inbox.setData} />
          <BusinessHours inbox={i} onSaved={inbox.setData} />
          <Members inboxId={id} />
          <InboxAgentBot inboxId={id} />
          <WebhookUrl inbox={i} onSaved={inbox.setData} />
          <Deliveries
            title="Webhook URL delivery log"
            load={() => ok(api.GET("/api/v1/accounts/{account_id}/inboxes/{id}/deliveries", { params: { path } }))}
            redeliver={(delivery_id) =>
              ok(
                api.POST("/api/v1/accounts/{account_id}/inboxes/{id}/deliveries/{delivery_id}/redeliver", {
                  params: { path: { ...path, delivery_id } },
                }),
              )
            }
          />
        </>
      )}
    </section>
  );
}

function InboxForm({ inbox: i, onSaved }: { inbox: Inbox; onSaved: (i: Inbox) => void }) {
  const { me } = useSession();
  const config = i.auto_assignment_config as { strategy?: string; max_assignment_limit?: number | null };
  const [name, setName] = useState(i.name);
  const [hmac, setHmac] = useState(i.hmac_mandatory);
  const [auto, setAuto] = useState(i.enable_auto_assignment);
  const [csat, setCsat] = useState(i.csat_survey_enabled);
  const [strategy, setStrategy] = useState(config.strategy ?? "balanced");
  const [limit, setLimit] = useState(config.max_assignment_limit ? String(config.max_assignment_limit) : "");
  const [saved, setSaved] = useState(false);
  const { run, error, busy } = useAction();
  return (
    <form
      class="panel form"
      aria-labelledby="inbox-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        run(async () => {
          const body = {
            name,
            enable_auto_assignment: auto,
            csat_survey_enabled: csat,
            auto_assignment_config: { strategy, max_assignment_limit: limit ? Number(limit) : null },
            channel: { hmac_mandatory: hmac },
          };
          onSaved(
            await ok(
              api.PATCH("/api/v1/accounts/{account_id}/inboxes/{id}", {
                params: { path: { account_id: me.accountId, id: i.id } },
                body: body as never,
              }),
            ),
          );
          setSaved(true);
        });
      }}
    >
      <h2 id="inbox-form-title">Settings</h2>
      <label>
        Inbox name
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" checked={hmac} onChange={(e) => setHmac(e.currentTarget.checked)} />
        Require identity verification (hmac_mandatory)
      </label>
      <label class="check">
        <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} />
        Auto-assign new conversations to available agents
      </label>
      <label class="check">
        <input type="checkbox" checked={csat} onChange={(e) => setCsat(e.currentTarget.checked)} />
        Send a CSAT survey when a conversation is resolved
      </label>
      <label>
        Assignment strategy
        <select value={strategy} disabled={!auto} onChange={(e) => setStrategy(e.currentTarget.value)}>
          <option value="balanced">Balanced (fewest open conversations)</option>
          <option value="round_robin">Round robin</option>
        </select>
      </label>
      <label>
        Assignment limit per agent (empty: no limit)
        <input type="number" min={1} value={limit} disabled={!auto} onInput={(e) => setLimit(e.currentTarget.value)} />
      </label>
      <Alert>{error}</Alert>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save settings
        </button>
        {saved && <span role="status">Saved</span>}
      </div>
    </form>
  );
}

function Members({ inboxId }: { inboxId: number }) {
  const { me } = useSession();
  const account_id = me.accountId;
  const agents = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/agents", { params: { path: { account_id } } })),
    [account_id],
  );
  const members = useLoad(
    () =>
      ok(
        api.GET("/api/v1/accounts/{account_id}/inbox_members/{inbox_id}", {
          params: { path: { account_id, inbox_id: inboxId } },
        }),
      ),
    [inboxId],
  );
  const [chosen, setChosen] = useState<Set<number> | null>(null);
  useEffect(() => {
    if (members.data) setChosen(new Set(members.data.payload.map((m) => m.id)));
  }, [members.data]);
  const { run, error, busy } = useAction();
  return (
    <form
      class="panel form"
      aria-labelledby="members-title"
      onSubmit={(e) => {
        e.preventDefault();
        run(async () => {
          const res = await ok(
            api.PATCH("/api/v1/accounts/{account_id}/inbox_members", {
              params: { path: { account_id } },
              body: { inbox_id: inboxId, user_ids: [...(chosen ?? [])] },
            }),
          );
          members.setData(res);
        });
      }}
    >
      <h2 id="members-title">Members</h2>
      <fieldset>
        <legend>Agents working in this inbox</legend>
        {agents.data?.map((a) => (
          <label class="check" key={a.id}>
            <input
              type="checkbox"
              checked={chosen?.has(a.id) ?? false}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.currentTarget.checked) next.add(a.id);
                else next.delete(a.id);
                setChosen(next);
              }}
            />
            {a.name} ({a.availability_status})
          </label>
        ))}
      </fieldset>
      <Alert>{error ?? members.error}</Alert>
      <button type="submit" disabled={busy}>
        Update members
      </button>
    </form>
  );
}

function WebhookUrl({ inbox: i, onSaved }: { inbox: Inbox; onSaved: (i: Inbox) => void }) {
  const { me } = useSession();
  const path = { account_id: me.accountId, id: i.id };
  const [url, setUrl] = useState(i.webhook_url ?? "");
  const [includePrivate, setIncludePrivate] = useState(i.webhook_include_private);
  const [saved, setSaved] = useState(false);
  const { run, error, busy } = useAction();
  return (
    <form
      class="panel form"
      aria-labelledby="webhook-url-title"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        run(async () => {
          const body = { channel: { webhook_url: url.trim() || null, webhook_include_private: includePrivate } };
          onSaved(
            await ok(
              api.PATCH("/api/v1/accounts/{account_id}/inboxes/{id}", { params: { path }, body: body as never }),
            ),
          );
          setSaved(true);
        });
      }}
    >
      <h2 id="webhook-url-title">Webhook URL</h2>
      <p class="muted">
        Every event of this inbox (agent replies included) is POSTed here, signed with the secret below.
      </p>
      <label>
        Webhook URL
        <input
          type="url"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          placeholder="https://example.com/konversio"
        />
      </label>
      <label class="check">
        <input type="checkbox" checked={includePrivate} onChange={(e) => setIncludePrivate(e.currentTarget.checked)} />
        Also send private notes
      </label>
      {i.webhook_disabled && (
        <p class="alert">Deliveries are paused: the URL kept failing. Saving it again resumes them.</p>
      )}
      <Secret label="Webhook signing secret" value={i.secret ?? ""}>
        <button
          type="button"
          class="small"
          disabled={busy}
          onClick={() => {
            if (confirm("Rotate the signing secret? Receivers must switch to the new one."))
              run(async () =>
                onSaved(
                  await ok(api.POST("/api/v1/accounts/{account_id}/inboxes/{id}/reset_secret", { params: { path } })),
                ),
              );
          }}
        >
          Rotate secret
        </button>
      </Secret>
      <Alert>{error}</Alert>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save webhook URL
        </button>
        {saved && <span role="status">Saved</span>}
      </div>
    </form>
  );
}
