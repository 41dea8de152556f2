import { useState } from "preact/hooks";
import { api, ok } from "../api";
import { Alert, CopyButton, useAction, useLoad } from "../components/ui";
import { useSession } from "../session";

export function Agents() {
  const { me } = useSession();
  const account_id = me.accountId;
  const agents = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/agents", { params: { path: { account_id } } })),
    [account_id],
  );
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"agent" | "administrator">("agent");
  const [link, setLink] = useState<{ email: string; url: string | null } | null>(null);
  const { run, error, busy } = useAction();

  return (
    <section class="page" aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <form
        class="panel form"
        aria-label="Invite an agent"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            const created = (await ok(
              api.POST("/api/v1/accounts/{account_id}/agents", {
                params: { path: { account_id } },
                body: { name, email, role },
              }),
            )) as {
              email: string;
              set_password_url?: string;
            };
            const url = created.set_password_url ? new URL(created.set_password_url, location.origin).href : null;
            setLink({ email: created.email, url });
            setName("");
            setEmail("");
            agents.reload();
          });
        }}
      >
        <h2>Invite an agent</h2>
        <label>
          Name
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Email
          <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as "agent" | "administrator")}>
            <option value="agent">Agent</option>
            <option value="administrator">Administrator</option>
          </select>
        </label>
        <Alert>{error}</Alert>
        <button type="submit" class="primary" disabled={busy}>
          Invite agent
        </button>
      </form>
      {link && (
        <div class="panel notice" role="status">
          {link.url ? (
            <>
              <p>Send this set-password link to {link.email}. It is shown only once and works once:</p>
              <div class="secret">
                <output class="code wrap" aria-label="Set-password link">
                  {link.url}
                </output>
                <CopyButton value={link.url} label="Copy set-password link" />
              </div>
            </>
          ) : (
            <p>{link.email} was added.</p>
          )}
          <button type="button" class="small" onClick={() => setLink(null)}>
            Done
          </button>
        </div>
      )}
      <Alert>{agents.error}</Alert>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Availability</th>
            <th scope="col">Role</th>
            <th scope="col">
              <span class="sr">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.data?.map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td class="wrap">{a.email}</td>
              <td>{a.availability_status}</td>
              <td>
                <select
                  aria-label={`Role of ${a.name}`}
                  value={a.role}
                  onChange={(e) =>
                    run(async () => {
                      const role = e.currentTarget.value as "agent" | "administrator";
                      await ok(
                        api.PATCH("/api/v1/accounts/{account_id}/agents/{id}", {
                          params: { path: { account_id, id: a.id } },
                          body: { role },
                        }),
                      );
                      agents.reload();
                    })
                  }
                >
                  <option value="agent">Agent</option>
                  <option value="administrator">Administrator</option>
                </select>
              </td>
              <td>
                <button
                  type="button"
                  class="small danger"
                  aria-label={`Remove ${a.name}`}
                  disabled={a.id === me.id}
                  onClick={() => {
                    if (confirm(`Remove ${a.name} from ${me.accountName}?`))
                      run(async () => {
                        await ok(
                          api.DELETE("/api/v1/accounts/{account_id}/agents/{id}", {
                            params: { path: { account_id, id: a.id } },
                          }),
                        );
                        agents.reload();
                      });
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
