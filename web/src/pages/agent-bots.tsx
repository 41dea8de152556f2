import { useState } from "preact/hooks";
import { type AgentBot, api, ok } from "../api";
import { Alert, CopyButton, Secret, useAction, useLoad } from "../components/ui";
import { useSession } from "../session";

/**
 * Settings → Bots: the account's agent bots (and the platform's, read-only). A bot's access token
 * is shown once, when it is created or reset: only its hash is kept.
 */
export function AgentBots() {
  const { me } = useSession();
  const account_id = me.accountId;
  const bots = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/agent_bots", { params: { path: { account_id } } })),
    [account_id],
  );
  const [editing, setEditing] = useState<AgentBot | "new" | null>(null);
  const [issued, setIssued] = useState<{ name: string; token: string } | null>(null);
  const { run, error } = useAction();
  const path = (id: number) => ({ params: { path: { account_id, id } } });
  const done = (bot?: AgentBot) => {
    setEditing(null);
    if (bot?.access_token) setIssued({ name: bot.name, token: bot.access_token });
    bots.reload();
  };

  return (
    <section class="page" aria-labelledby="bots-title">
      <div class="page-head">
        <h1 id="bots-title">Bots</h1>
        <button type="button" class="primary" onClick={() => setEditing("new")}>
          Add bot
        </button>
      </div>
      <p class="muted">
        An agent bot answers an inbox's new conversations first. It receives the inbox's messages at its outgoing URL,
        replies through the API with its own access token, and hands a conversation to the agents by opening it.
      </p>
      <Alert>{bots.error ?? error}</Alert>
      {issued && <IssuedToken {...issued} onDismiss={() => setIssued(null)} />}
      {editing && <BotForm bot={editing === "new" ? null : editing} onDone={done} onCancel={() => setEditing(null)} />}
      <ul class="plain webhook-list">
        {bots.data?.map((b) => (
          <li class="panel" key={b.id} aria-label={`Bot ${b.name}`}>
            <div class="page-head">
              <h2 class="wrap">{b.name}</h2>
              {!b.system_bot && (
                <div class="actions">
                  <button type="button" class="small" aria-label={`Edit bot ${b.name}`} onClick={() => setEditing(b)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    class="small"
                    aria-label={`Reset token of ${b.name}`}
                    onClick={() => {
                      if (confirm(`Reset the access token of ${b.name}? The current token stops working at once.`))
                        run(async () =>
                          done(
                            await ok(
                              api.POST("/api/v1/accounts/{account_id}/agent_bots/{id}/reset_access_token", path(b.id)),
                            ),
                          ),
                        );
                    }}
                  >
                    Reset token
                  </button>
                  <button
                    type="button"
                    class="small danger"
                    aria-label={`Delete bot ${b.name}`}
                    onClick={() => {
                      if (confirm(`Delete the bot ${b.name}? Its inboxes are left without a bot.`))
                        run(async () => {
                          await ok(api.DELETE("/api/v1/accounts/{account_id}/agent_bots/{id}", path(b.id)));
                          bots.reload();
                        });
                    }}
                  >
                    Delete
                  </button>
                </div>
              )}
            </div>
            {b.description && <p class="muted">{b.description}</p>}
            <dl class="facts">
              <dt>Kind</dt>
              <dd>{b.system_bot ? "Platform bot (managed by the operator)" : "This account's bot"}</dd>
              {!b.system_bot && (
                <>
                  <dt>Outgoing URL</dt>
                  <dd class="wrap">{b.outgoing_url || "None: the bot receives no events"}</dd>
                </>
              )}
            </dl>
            {b.secret && (
              <Secret label={`Signing secret of ${b.name}`} value={b.secret}>
                <button
                  type="button"
                  class="small"
                  onClick={() => {
                    if (confirm("Rotate the signing secret? The bot must switch to the new one within 24 hours."))
                      run(async () => {
                        await ok(api.POST("/api/v1/accounts/{account_id}/agent_bots/{id}/reset_secret", path(b.id)));
                        bots.reload();
                      });
                  }}
                >
                  Rotate secret
                </button>
              </Secret>
            )}
          </li>
        ))}
      </ul>
      {bots.data && bots.data.length === 0 && <p class="muted">No bots yet.</p>}
    </section>
  );
}

/** The token just issued: shown this once, with a copy button. */
function IssuedToken({ name, token, onDismiss }: { name: string; token: string; onDismiss: () => void }) {
  return (
    <section class="panel issued" aria-labelledby="issued-title">
      <h2 id="issued-title">Access token of {name}</h2>
      <p role="status">Copy it now: it is shown only once. The bot sends it as the api_access_token header.</p>
      <div class="secret">
        <output class="code wrap" aria-label={`Access token of ${name}`}>
          {token}
        </output>
        <CopyButton value={token} label={`Copy the access token of ${name}`} />
      </div>
      <button type="button" class="small" onClick={onDismiss}>
        I have copied it
      </button>
    </section>
  );
}

function BotForm({
  bot,
  onDone,
  onCancel,
}: {
  bot: AgentBot | null;
  onDone: (bot: AgentBot) => void;
  onCancel: () => void;
}) {
  const { me } = useSession();
  const account_id = me.accountId;
  const [name, setName] = useState(bot?.name ?? "");
  const [description, setDescription] = useState(bot?.description ?? "");
  const [url, setUrl] = useState(bot?.outgoing_url ?? "");
  const [avatar, setAvatar] = useState(bot?.avatar_url ?? "");
  const { run, error, busy } = useAction();
  const title = bot ? `Edit ${bot.name}` : "New bot";
  return (
    <form
      class="panel form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        run(async () => {
          const body = {
            name: name.trim(),
            description: description.trim() || null,
            outgoing_url: url.trim() || null,
            avatar_url: avatar.trim() || null,
          };
          onDone(
            bot
              ? await ok(
                  api.PATCH("/api/v1/accounts/{account_id}/agent_bots/{id}", {
                    params: { path: { account_id, id: bot.id } },
                    body,
                  }),
                )
              : await ok(
                  api.POST("/api/v1/accounts/{account_id}/agent_bots", { params: { path: { account_id } }, body }),
                ),
          );
        });
      }}
    >
      <h2>{title}</h2>
      <label>
        Bot name
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Description
        <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <label>
        Outgoing URL
        <input
          type="url"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          placeholder="https://bots.example.com/konversio"
        />
      </label>
      <label>
        Avatar URL
        <input type="url" value={avatar} onInput={(e) => setAvatar(e.currentTarget.value)} />
      </label>
      <Alert>{error}</Alert>
      <div class="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {bot ? "Save bot" : "Create bot"}
        </button>
      </div>
    </form>
  );
}
