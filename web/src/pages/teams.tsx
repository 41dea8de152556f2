import { useEffect, useState } from "preact/hooks";
import { api, ok, type Agent, type Team } from "../api";
import { AgentChecks, Alert, useAction, useLoad } from "../components/ui";
import { useSession } from "../session";

export function Teams() {
  const { me } = useSession();
  const account_id = me.accountId;
  const teams = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/teams", { params: { path: { account_id } } })),
    [account_id],
  );
  const agents = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/agents", { params: { path: { account_id } } })),
    [account_id],
  );
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const { run, error, busy } = useAction();
  return (
    <section class="page" aria-labelledby="teams-title">
      <h1 id="teams-title">Teams</h1>
      <form
        class="panel form"
        aria-label="Create a team"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await ok(
              api.POST("/api/v1/accounts/{account_id}/teams", {
                params: { path: { account_id } },
                body: { name, description: description || null, allow_auto_assign: true },
              }),
            );
            setName("");
            setDescription("");
            teams.reload();
          });
        }}
      >
        <h2>Create a team</h2>
        <label>
          Team name
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Description
          <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <Alert>{error}</Alert>
        <button type="submit" class="primary" disabled={busy}>
          Create team
        </button>
      </form>
      <Alert>{teams.error}</Alert>
      <ul class="plain">
        {teams.data?.map((t) => (
          <TeamItem key={t.id} team={t} agents={agents.data ?? []} onChanged={teams.reload} />
        ))}
      </ul>
    </section>
  );
}

function TeamItem({ team: t, agents, onChanged }: { team: Team; agents: Agent[]; onChanged: () => void }) {
  const { me } = useSession();
  const path = { account_id: me.accountId, team_id: t.id };
  const members = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/teams/{team_id}/team_members", { params: { path } })),
    [t.id],
  );
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  useEffect(() => {
    if (members.data) setChosen(new Set(members.data.map((m) => m.id)));
  }, [members.data]);
  const { run, error, busy } = useAction();
  return (
    <li class="panel" aria-label={`Team ${t.name}`}>
      <div class="page-head">
        <h2>{t.name}</h2>
        <button
          type="button"
          class="small danger"
          aria-label={`Delete team ${t.name}`}
          onClick={() => {
            if (confirm(`Delete the team ${t.name}?`))
              run(async () => {
                await ok(
                  api.DELETE("/api/v1/accounts/{account_id}/teams/{id}", {
                    params: { path: { account_id: me.accountId, id: t.id } },
                  }),
                );
                onChanged();
              });
          }}
        >
          Delete
        </button>
      </div>
      {t.description && <p class="muted">{t.description}</p>}
      <label class="check">
        <input
          type="checkbox"
          checked={t.allow_auto_assign}
          onChange={(e) =>
            run(async () => {
              const allow_auto_assign = e.currentTarget.checked;
              await ok(
                api.PATCH("/api/v1/accounts/{account_id}/teams/{id}", {
                  params: { path: { account_id: me.accountId, id: t.id } },
                  body: { allow_auto_assign },
                }),
              );
              onChanged();
            })
          }
        />
        Auto-assign conversations of {t.name} to its members
      </label>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run(async () =>
            members.setData(
              await ok(
                api.PATCH("/api/v1/accounts/{account_id}/teams/{team_id}/team_members", {
                  params: { path },
                  body: { user_ids: [...chosen] },
                }),
              ),
            ),
          );
        }}
      >
        <AgentChecks legend={`Members of ${t.name}`} agents={agents} chosen={chosen} onChange={setChosen} />
        <Alert>{error ?? members.error}</Alert>
        <button type="submit" disabled={busy}>
          Save members
        </button>
      </form>
    </li>
  );
}
