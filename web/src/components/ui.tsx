import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { type Agent, ApiError, type Team } from "../api";

export const errorText = (e: unknown) => (e instanceof ApiError || e instanceof Error ? e.message : String(e));

/** Loads data with `load`, again whenever `deps` change or `reload()` is called. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload, setData };
}

/** Runs an action, keeping its error (shown with role="alert") and a busy flag. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(errorText(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

export function Alert({ children }: { children: ComponentChildren }) {
  if (!children) return null;
  return (
    <p class="alert" role="alert">
      {children}
    </p>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="small"
      aria-label={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
        } catch {
          /* clipboard refused (insecure origin): the value is on screen to copy by hand */
        }
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? "Copied" : "Copy"}
    </button>
  );
}

/** A secret shown as dots until "Reveal"; copy works either way. */
export function Secret({ label, value, children }: { label: string; value: string; children?: ComponentChildren }) {
  const [shown, setShown] = useState(false);
  return (
    <div class="secret">
      <span class="secret-label">{label}</span>
      <output class="code" aria-label={label}>
        {shown ? value : "•".repeat(16)}
      </output>
      <button
        type="button"
        class="small"
        aria-pressed={shown}
        aria-label={`${shown ? "Hide" : "Reveal"} ${label}`}
        onClick={() => setShown(!shown)}
      >
        {shown ? "Hide" : "Reveal"}
      </button>
      <CopyButton value={value} label={`Copy ${label}`} />
      {children}
    </div>
  );
}

export const time = (unix: number | null | undefined) => (unix ? new Date(unix * 1000).toLocaleString() : "");

/** The account's teams as a "Team" select; `none` names the empty choice. Values are team ids as strings. */
export function TeamSelect({
  teams,
  none,
  value,
  onChange,
}: {
  teams: Team[] | undefined;
  none: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      Team
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{none}</option>
        {teams?.map((t) => (
          <option value={String(t.id)} key={t.id}>
            {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Agents as checkboxes under `legend`, for choosing a set of them by id. */
export function AgentChecks({
  legend,
  agents,
  chosen,
  onChange,
  label = (a) => a.name,
}: {
  legend: string;
  agents: Agent[] | undefined;
  chosen: Set<number>;
  onChange: (chosen: Set<number>) => void;
  label?: (a: Agent) => string;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {agents?.map((a) => (
        <label class="check" key={a.id}>
          <input
            type="checkbox"
            checked={chosen.has(a.id)}
            onChange={(e) => {
              const next = new Set(chosen);
              if (e.currentTarget.checked) next.add(a.id);
              else next.delete(a.id);
              onChange(next);
            }}
          />
          {label(a)}
        </label>
      ))}
    </fieldset>
  );
}
