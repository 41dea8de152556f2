import { useState } from "preact/hooks";
import type { Delivery } from "../api";
import { Alert, time, useAction, useLoad } from "./ui";

/** A delivery log (newest first) with each attempt's outcome and a Redeliver button. */
export function Deliveries({
  title,
  load,
  redeliver,
}: {
  title: string;
  load: () => Promise<{ payload: Delivery[] }>;
  redeliver: (id: number) => Promise<unknown>;
}) {
  const log = useLoad(load, []);
  const { run, error, busy } = useAction();
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section class="deliveries" aria-label={title}>
      <div class="page-head">
        <h3>{title}</h3>
        <button type="button" class="small" onClick={log.reload}>
          Refresh log
        </button>
      </div>
      <Alert>{log.error ?? error}</Alert>
      {log.data && log.data.payload.length === 0 && <p class="muted">No deliveries yet.</p>}
      {log.data && log.data.payload.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Response</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="sr">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {log.data.payload.map((d) => (
              <>
                <tr key={d.id} class="delivery-row">
                  <td>{d.event}</td>
                  <td>
                    <span class={`status status-${d.status}`}>{d.status}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td>
                    {d.last_status_code ?? "—"}
                    {d.last_latency_ms !== null ? ` · ${d.last_latency_ms} ms` : ""}
                  </td>
                  <td>{time(d.created_at)}</td>
                  <td class="nowrap">
                    <button
                      type="button"
                      class="small"
                      aria-expanded={open === d.id}
                      onClick={() => setOpen(open === d.id ? null : d.id)}
                    >
                      Details
                    </button>{" "}
                    <button
                      type="button"
                      class="small"
                      disabled={busy}
                      aria-label={`Redeliver ${d.event} #${d.id}`}
                      onClick={() =>
                        run(async () => {
                          await redeliver(d.id);
                          log.reload();
                        })
                      }
                    >
                      Redeliver
                    </button>
                  </td>
                </tr>
                {open === d.id && (
                  <tr key={`d${d.id}`}>
                    <td colSpan={6}>
                      <dl class="facts">
                        <dt>Delivery id</dt>
                        <dd>{d.id}</dd>
                        <dt>Delivered at</dt>
                        <dd>{time(d.delivered_at) || "—"}</dd>
                        <dt>Next attempt</dt>
                        <dd>{time(d.next_attempt_at) || "—"}</dd>
                        <dt>Last error</dt>
                        <dd>{d.last_error ?? "—"}</dd>
                        <dt>Response</dt>
                        <dd>
                          <code class="wrap">{d.response_snippet ?? "—"}</code>
                        </dd>
                      </dl>
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
