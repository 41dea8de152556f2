import { useEffect, useState } from "preact/hooks";
import { api, ok } from "../api";
import { Alert, useAction, useLoad } from "./ui";
import { BASE } from "../router";
import { useSession } from "../session";

/**
 * The inbox's agent bot: while one is attached, new conversations start pending, held by the bot,
 * and reach agents only when it hands them off.
 */
export function InboxAgentBot({ inboxId }: { inboxId: number }) {
  const { me } = useSession();
  const path = { account_id: me.accountId, id: inboxId };
  const bots = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/agent_bots", { params: { path: { account_id: me.accountId } } })),
    [me.accountId],
  );
  const current = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/inboxes/{id}/agent_bot", { params: { path } })),
    [inboxId],
  );
  const [chosen, setChosen] = useState("");
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const bot = current.data?.agent_bot as { id?: number } | undefined;
    if (current.data) setChosen(bot?.id ? String(bot.id) : "");
  }, [current.data]);
  const { run, error, busy } = useAction();
  return (
    <form
      class="panel form"
      aria-labelledby="inbox-bot-title"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        run(async () => {
          current.setData(
            await ok(
              api.POST("/api/v1/accounts/{account_id}/inboxes/{id}/set_agent_bot", {
                params: { path },
                body: { agent_bot: chosen ? Number(chosen) : null },
              }),
            ),
          );
          setSaved(true);
        });
      }}
    >
      <h2 id="inbox-bot-title">Agent bot</h2>
      <p class="muted">
        A bot answers this inbox's new conversations first: they wait as pending, unassigned, until the bot hands them
        off to an agent. Bots are managed in <a href={`${BASE}/settings/bots`}>Settings → Bots</a>.
      </p>
      <label>
        Agent bot
        <select value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
          <option value="">No bot</option>
          {bots.data?.map((b) => (
            <option value={String(b.id)} key={b.id}>
              {b.name}
              {b.system_bot ? " (platform)" : ""}
            </option>
          ))}
        </select>
      </label>
      <Alert>{bots.error ?? current.error ?? error}</Alert>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || !current.data}>
          Save agent bot
        </button>
        {saved && <span role="status">Saved</span>}
      </div>
    </form>
  );
}
