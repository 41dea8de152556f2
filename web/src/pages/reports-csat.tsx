import { useState } from "preact/hooks";
import { api, ok } from "../api";
import { stars } from "../components/csat-message";
import { Alert, time, useLoad } from "../components/ui";
import { BASE } from "../router";
import { useSession } from "../session";

/** The API's page size for CSAT answers. */
const PAGE = 25;
const RATINGS = ["5", "4", "3", "2", "1"] as const;

/** A `<input type="date">` value as unix seconds in the browser's time zone: the day's start, or its last second. */
const daySeconds = (day: string, end: boolean) => {
  if (!day) return undefined;
  const [y, m, d] = day.split("-").map(Number);
  const start = new Date(y, m - 1, d).getTime() / 1000;
  return end ? start + 86_399 : start;
};

/** Reports → CSAT: the survey answers' metrics and the answers themselves, filtered by dates, inbox and agent. */
export function CsatReport() {
  const { me } = useSession();
  const account_id = me.accountId;
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [inboxId, setInboxId] = useState("");
  const [agentId, setAgentId] = useState("");
  const [page, setPage] = useState(1);
  const query = {
    since: daySeconds(from, false),
    until: daySeconds(to, true),
    inbox_id: inboxId ? Number(inboxId) : undefined,
    user_ids: agentId ? [Number(agentId)] : undefined,
  };
  const deps = [account_id, from, to, inboxId, agentId];
  const inboxes = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/inboxes", { params: { path: { account_id } } })),
    [account_id],
  );
  const agents = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/agents", { params: { path: { account_id } } })),
    [account_id],
  );
  const metrics = useLoad(
    () =>
      ok(
        api.GET("/api/v1/accounts/{account_id}/csat_survey_responses/metrics", {
          params: { path: { account_id }, query: query as never },
        }),
      ),
    deps,
  );
  const responses = useLoad(
    () =>
      ok(
        api.GET("/api/v1/accounts/{account_id}/csat_survey_responses", {
          params: { path: { account_id }, query: { ...query, page } as never },
        }),
      ),
    [...deps, page],
  );
  // A new filter starts again from the first page.
  const filter = (set: (v: string) => void) => (e: { currentTarget: { value: string } }) => {
    set(e.currentTarget.value);
    setPage(1);
  };
  const m = metrics.data;
  const rows = responses.data ?? [];

  return (
    <section class="page report" aria-labelledby="csat-title">
      <h1 id="csat-title">CSAT reports</h1>
      <p class="muted">
        Answers to the satisfaction survey that inboxes with CSAT surveys on send when a conversation is resolved.
      </p>
      {/* biome-ignore lint/a11y/useSemanticElements: filters that apply as they change, not a form to submit */}
      <div class="panel report-filters" role="group" aria-label="Filters">
        <label>
          From
          <input type="date" value={from} max={to || undefined} onInput={filter(setFrom)} />
        </label>
        <label>
          To
          <input type="date" value={to} min={from || undefined} onInput={filter(setTo)} />
        </label>
        <label>
          Inbox
          <select value={inboxId} onChange={filter(setInboxId)}>
            <option value="">All inboxes</option>
            {inboxes.data?.payload.map((i) => (
              <option value={String(i.id)} key={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select value={agentId} onChange={filter(setAgentId)}>
            <option value="">All agents</option>
            {agents.data?.map((a) => (
              <option value={String(a.id)} key={a.id}>
                {a.available_name || a.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Alert>{metrics.error ?? responses.error}</Alert>
      {m && (
        <div class="report-metrics">
          <section class="panel" aria-label="CSAT metrics">
            <dl class="metrics">
              <div>
                <dt>Responses</dt>
                <dd>{m.total_count}</dd>
              </div>
              <div>
                <dt>Surveys sent</dt>
                <dd>{m.total_sent_messages_count}</dd>
              </div>
              <div>
                <dt>Response rate</dt>
                <dd>{m.response_rate}%</dd>
              </div>
              <div>
                <dt>Satisfaction score</dt>
                <dd>{m.satisfaction_score}%</dd>
              </div>
              <div>
                <dt>Average rating</dt>
                <dd>{m.average_rating === null ? "–" : `${m.average_rating} / 5`}</dd>
              </div>
            </dl>
          </section>
          <table class="panel ratings" aria-label="Responses per rating">
            <thead>
              <tr>
                <th scope="col">Rating</th>
                <th scope="col">Responses</th>
              </tr>
            </thead>
            <tbody>
              {RATINGS.map((r) => (
                <tr key={r}>
                  <td>
                    <span aria-hidden="true">{stars(Number(r))} </span>
                    {r}
                  </td>
                  <td>{m.ratings_count[r]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Responses</h2>
      <table aria-label="CSAT responses">
        <thead>
          <tr>
            <th scope="col">Contact</th>
            <th scope="col">Conversation</th>
            <th scope="col">Agent</th>
            <th scope="col">Rating</th>
            <th scope="col">Feedback</th>
            <th scope="col">Answered</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td class="wrap">{r.contact.name}</td>
              <td>
                <a href={`${BASE}/conversations/${r.conversation_id}`}>#{r.conversation_id}</a>
              </td>
              <td>{r.assigned_agent ? r.assigned_agent.available_name || r.assigned_agent.name : "None"}</td>
              <td class="nowrap">
                <span aria-hidden="true">{stars(r.rating)} </span>
                {r.rating} / 5
              </td>
              <td class="wrap">{r.feedback_message ?? ""}</td>
              <td class="nowrap">{time(r.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {responses.data && rows.length === 0 && <p class="empty">No responses for these filters.</p>}
      {(page > 1 || rows.length >= PAGE) && (
        <div class="actions">
          <button type="button" disabled={page === 1} onClick={() => setPage(page - 1)}>
            Previous page
          </button>
          <span>Page {page}</span>
          <button type="button" disabled={rows.length < PAGE} onClick={() => setPage(page + 1)}>
            Next page
          </button>
        </div>
      )}
    </section>
  );
}
