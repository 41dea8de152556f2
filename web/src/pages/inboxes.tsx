import { api, ok } from "../api";
import { Alert, useLoad } from "../components/ui";
import { BASE } from "../router";
import { useSession } from "../session";

export function Inboxes() {
  const { me } = useSession();
  const inboxes = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/inboxes", { params: { path: { account_id: me.accountId } } })),
    [me.accountId],
  );
  return (
    <section class="page" aria-labelledby="inboxes-title">
      <div class="page-head">
        <h1 id="inboxes-title">Inboxes</h1>
        <a class="button primary" href={`${BASE}/settings/inboxes/new`}>
          Add Inbox
        </a>
      </div>
      <Alert>{inboxes.error}</Alert>
      <table>
        <caption class="sr">Inboxes of {me.accountName}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Channel</th>
            <th scope="col">Webhook URL</th>
            <th scope="col">
              <span class="sr">Settings</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {inboxes.data?.payload.map((i) => (
            <tr key={i.id}>
              <td>{i.name}</td>
              <td>{i.channel_type === "Channel::Api" ? "API" : i.channel_type}</td>
              <td class="wrap">{i.webhook_url ?? "—"}</td>
              <td>
                <a href={`${BASE}/settings/inboxes/${i.id}`} aria-label={`Settings of ${i.name}`}>
                  Settings
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
