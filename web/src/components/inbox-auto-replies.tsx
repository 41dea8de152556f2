import { useMemo, useState } from "preact/hooks";
import { api, ok, type Inbox, type Schemas } from "../api";
import { useSession } from "../session";
import { Alert, useAction } from "./ui";

type Day = Schemas["WorkingHours"];
type Mode = "closed" | "all_day" | "hours";

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const pad = (n: number | null) => String(n ?? 0).padStart(2, "0");
const time = (h: number | null, m: number | null) => `${pad(h)}:${pad(m)}`;

/** A weekday as the editor holds it: closed, open all day, or open from `opens` to `closes` ("HH:MM"). */
type Row = { mode: Mode; opens: string; closes: string };

const toRow = (d: Day): Row => ({
  mode: d.closed_all_day ? "closed" : d.open_all_day ? "all_day" : "hours",
  opens: d.closed_all_day || d.open_all_day ? "09:00" : time(d.open_hour, d.open_minutes),
  closes: d.closed_all_day || d.open_all_day ? "17:00" : time(d.close_hour, d.close_minutes),
});

function toDay(day_of_week: number, r: Row) {
  if (r.mode === "closed") return { day_of_week, closed_all_day: true, open_all_day: false };
  if (r.mode === "all_day") return { day_of_week, closed_all_day: false, open_all_day: true };
  const [open_hour, open_minutes] = r.opens.split(":").map(Number);
  const [close_hour, close_minutes] = r.closes.split(":").map(Number);
  return {
    day_of_week,
    closed_all_day: false,
    open_all_day: false,
    open_hour,
    open_minutes,
    close_hour,
    close_minutes,
  };
}

/** IANA zones the browser knows, with the inbox's own kept even if it is not among them. */
function timeZones(current: string): string[] {
  const known = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return [...new Set(["UTC", current, ...known])].sort();
}

function useSave(inboxId: number, onSaved: (i: Inbox) => void) {
  const { me } = useSession();
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const save = (body: object) => {
    setSaved(false);
    action.run(async () => {
      const path = { account_id: me.accountId, id: inboxId };
      onSaved(
        await ok(api.PATCH("/api/v1/accounts/{account_id}/inboxes/{id}", { params: { path }, body: body as never })),
      );
      setSaved(true);
    });
  };
  return { ...action, saved, save };
}

/** The greeting every new conversation of the inbox opens with. */
export function Greeting({ inbox: i, onSaved }: { inbox: Inbox; onSaved: (i: Inbox) => void }) {
  const [enabled, setEnabled] = useState(i.greeting_enabled);
  const [message, setMessage] = useState(i.greeting_message ?? "");
  const { save, saved, error, busy } = useSave(i.id, onSaved);
  return (
    <form
      class="panel form"
      aria-labelledby="greeting-title"
      onSubmit={(e) => {
        e.preventDefault();
        save({ greeting_enabled: enabled, greeting_message: message.trim() || null });
      }}
    >
      <h2 id="greeting-title">Greeting</h2>
      <p class="muted">
        Posted by the inbox as the first message of every new conversation, and sent to your webhooks like a reply.
      </p>
      <label class="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        Greet new conversations
      </label>
      <label>
        Greeting message
        <textarea
          rows={2}
          value={message}
          required={enabled}
          onInput={(e) => setMessage(e.currentTarget.value)}
          placeholder="Hi! We usually answer within the hour."
        />
      </label>
      <Alert>{error}</Alert>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save greeting
        </button>
        {saved && <span role="status">Greeting saved</span>}
      </div>
    </form>
  );
}

/** The weekly business hours, their time zone and the out-of-office answer. */
export function BusinessHours({ inbox: i, onSaved }: { inbox: Inbox; onSaved: (i: Inbox) => void }) {
  const [enabled, setEnabled] = useState(i.working_hours_enabled);
  const [timezone, setTimezone] = useState(i.timezone);
  const [away, setAway] = useState(i.out_of_office_message ?? "");
  const [rows, setRows] = useState<Row[]>(() => WEEKDAYS.map((_, n) => toRow(i.working_hours[n])));
  const zones = useMemo(() => timeZones(i.timezone), [i.timezone]);
  const { save, saved, error, busy } = useSave(i.id, onSaved);
  const change = (n: number, patch: Partial<Row>) => setRows(rows.map((r, k) => (k === n ? { ...r, ...patch } : r)));
  return (
    <form
      class="panel form"
      aria-labelledby="hours-title"
      onSubmit={(e) => {
        e.preventDefault();
        save({
          working_hours_enabled: enabled,
          timezone,
          out_of_office_message: away.trim() || null,
          working_hours: rows.map((r, n) => toDay(n, r)),
        });
      }}
    >
      <h2 id="hours-title">Business hours</h2>
      <p class="muted">
        A contact who writes while the inbox is closed gets the out-of-office message, once per closed period.
      </p>
      <label class="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        Answer outside business hours
      </label>
      <label>
        Time zone
        <select value={timezone} onChange={(e) => setTimezone(e.currentTarget.value)}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label>
        Out-of-office message
        <textarea
          rows={2}
          value={away}
          required={enabled}
          onInput={(e) => setAway(e.currentTarget.value)}
          placeholder="We are closed right now and will answer when we open."
        />
      </label>
      <table class="hours">
        <caption class="sr">Weekly hours</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Hours</th>
            <th scope="col">Opens</th>
            <th scope="col">Closes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, n) => (
            <tr key={WEEKDAYS[n]}>
              <th scope="row">{WEEKDAYS[n]}</th>
              <td data-label="Hours">
                <select
                  aria-label={`${WEEKDAYS[n]} hours`}
                  value={r.mode}
                  onChange={(e) => change(n, { mode: e.currentTarget.value as Mode })}
                >
                  <option value="closed">Closed</option>
                  <option value="all_day">Open all day</option>
                  <option value="hours">Open</option>
                </select>
              </td>
              <td data-label="Opens">
                {r.mode === "hours" && (
                  <input
                    type="time"
                    aria-label={`${WEEKDAYS[n]} opens at`}
                    value={r.opens}
                    required
                    onInput={(e) => change(n, { opens: e.currentTarget.value })}
                  />
                )}
              </td>
              <td data-label="Closes">
                {r.mode === "hours" && (
                  <input
                    type="time"
                    aria-label={`${WEEKDAYS[n]} closes at`}
                    value={r.closes}
                    required
                    onInput={(e) => change(n, { closes: e.currentTarget.value })}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Alert>{error}</Alert>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save business hours
        </button>
        {saved && <span role="status">Business hours saved</span>}
      </div>
    </form>
  );
}
