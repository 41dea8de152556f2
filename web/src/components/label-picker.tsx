import { api, ok, type Conversation } from "../api";
import { useSession } from "../session";
import { Alert, useAction, useLoad } from "./ui";

/**
 * "Add label": the account's labels the conversation does not carry yet; choosing one adds it at
 * once (the conversation's labels are replaced by the list with it, as the API's POST does).
 */
export function AddLabel({ conversation: c, onChanged }: { conversation: Conversation; onChanged: () => void }) {
  const { me } = useSession();
  const account_id = me.accountId;
  const { run, error, busy } = useAction();
  const labels = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/labels", { params: { path: { account_id } } })),
    [account_id],
  );
  const choices = (labels.data?.payload ?? [])
    .filter((l) => !c.labels.includes(l.title))
    .sort((a, b) => a.title.localeCompare(b.title));
  if (!labels.data?.payload.length) return null;
  return (
    <>
      <label>
        Add label
        <select
          value=""
          disabled={busy || choices.length === 0}
          onChange={(e) => {
            const title = e.currentTarget.value;
            if (!title) return;
            run(async () => {
              await ok(
                api.POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/labels", {
                  params: { path: { account_id, conversation_id: c.id } },
                  body: { labels: [...c.labels, title] },
                }),
              );
              onChanged();
            });
          }}
        >
          <option value="">{choices.length ? "Choose…" : "All added"}</option>
          {choices.map((l) => (
            <option value={l.title} key={l.id}>
              {l.title}
            </option>
          ))}
        </select>
      </label>
      <Alert>{error}</Alert>
    </>
  );
}
