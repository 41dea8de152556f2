import { useState } from "preact/hooks";
import { api, ok, type Inbox } from "../api";
import { AgentChecks, Alert, useAction, useLoad } from "../components/ui";
import { BASE } from "../router";
import { useSession } from "../session";

/** Settings → Inboxes → Add Inbox: channel, name (and webhook URL), then agents. */
export function InboxNew() {
  const { me } = useSession();
  const account_id = me.accountId;
  const [step, setStep] = useState<"channel" | "details" | "agents" | "done">("channel");
  const [name, setName] = useState("");
  const [webhookUrl, setWebhookUrl] = useState("");
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set([me.id]));
  const { run, error, busy } = useAction();
  const agents = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/agents", { params: { path: { account_id } } })),
    [account_id],
  );

  return (
    <section class="page" aria-labelledby="new-inbox-title">
      <h1 id="new-inbox-title">Add Inbox</h1>
      <ol class="steps" aria-label="Steps">
        <li aria-current={step === "channel" ? "step" : undefined}>Choose channel</li>
        <li aria-current={step === "details" ? "step" : undefined}>Create inbox</li>
        <li aria-current={step === "agents" ? "step" : undefined}>Add agents</li>
      </ol>
      {step === "channel" && (
        <fieldset>
          <legend>Channel type</legend>
          <button type="button" class="channel-card" onClick={() => setStep("details")}>
            <strong>API</strong>
            <span>Push messages in over HTTP from your app, web form or tool; replies reach you by webhook.</span>
          </button>
        </fieldset>
      )}
      {step === "details" && (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              const created = await ok(
                api.POST("/api/v1/accounts/{account_id}/inboxes", {
                  params: { path: { account_id } },
                  body: {
                    name: name.trim(),
                    channel: { type: "api", webhook_url: webhookUrl.trim() || undefined },
                  } as never,
                }),
              );
              setInbox(created);
              setStep("agents");
            });
          }}
        >
          <p>Channel: API</p>
          <label>
            Inbox name
            <input
              required
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              placeholder="Mobile app support"
            />
          </label>
          <label>
            Webhook URL (optional)
            <input
              type="url"
              value={webhookUrl}
              onInput={(e) => setWebhookUrl(e.currentTarget.value)}
              placeholder="https://example.com/konversio"
            />
          </label>
          <Alert>{error}</Alert>
          <div class="actions">
            <button type="button" onClick={() => setStep("channel")}>
              Back
            </button>
            <button type="submit" class="primary" disabled={busy}>
              Create Inbox
            </button>
          </div>
        </form>
      )}
      {step === "agents" && inbox && (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              if (chosen.size)
                await ok(
                  api.POST("/api/v1/accounts/{account_id}/inbox_members", {
                    params: { path: { account_id } },
                    body: { inbox_id: inbox.id, user_ids: [...chosen] },
                  }),
                );
              setStep("done");
            });
          }}
        >
          <p role="status">Inbox “{inbox.name}” created. Choose the agents who work in it.</p>
          <AgentChecks
            legend="Agents"
            agents={agents.data}
            chosen={chosen}
            onChange={setChosen}
            label={(a) => `${a.name} (${a.email})`}
          />
          <Alert>{error}</Alert>
          <button type="submit" class="primary" disabled={busy}>
            Add agents
          </button>
        </form>
      )}
      {step === "done" && inbox && (
        <div class="form">
          <p role="status">Agents added to “{inbox.name}”.</p>
          <a class="button primary" href={`${BASE}/settings/inboxes/${inbox.id}`}>
            Open inbox settings
          </a>
        </div>
      )}
    </section>
  );
}
