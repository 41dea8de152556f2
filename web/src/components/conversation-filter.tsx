import { useState } from "preact/hooks";
import type { Agent, Inbox, Schemas, Team } from "../api";

export type FilterCondition = Schemas["ConversationFilterCondition"];
export type ConversationType = "" | "mention" | "participating" | "unattended";

const TYPES: [ConversationType, string][] = [
  ["", "Any type"],
  ["mention", "Mentions"],
  ["participating", "Participating"],
  ["unattended", "Unattended"],
];

/** Chatwoot's conversation types as toggle buttons: mentions of me, conversations I take part in, unattended. */
export function ConversationTypeViews({
  value,
  onChange,
}: {
  value: ConversationType;
  onChange: (v: ConversationType) => void;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: toggle buttons, not a form section (no fieldset border)
    <div class="views type-views" role="group" aria-label="Conversation type">
      {TYPES.map(([type, text]) => (
        <button type="button" key={type} aria-pressed={value === type} onClick={() => onChange(type)}>
          {text}
        </button>
      ))}
    </div>
  );
}

type Operator = FilterCondition["filter_operator"];
type Input = "status" | "agent" | "inbox" | "team" | "priority" | "text" | "number" | "date" | "days";

const OPERATORS: Record<string, string> = {
  equal_to: "is",
  not_equal_to: "is not",
  contains: "contains",
  does_not_contain: "does not contain",
  is_present: "is set",
  is_not_present: "is not set",
  is_greater_than: "is after",
  is_less_than: "is before",
  days_before: "is more days ago than",
};
const IDS = ["equal_to", "not_equal_to", "is_present", "is_not_present"];
const TEXT = ["equal_to", "not_equal_to", "contains", "does_not_contain"];
const DATES = ["is_greater_than", "is_less_than", "days_before"];

/** What the console offers (the API takes a few more, such as the additional attributes). */
const ATTRIBUTES: { key: string; label: string; operators: string[]; input: Input }[] = [
  { key: "status", label: "Status", operators: ["equal_to", "not_equal_to"], input: "status" },
  { key: "assignee_id", label: "Assignee", operators: IDS, input: "agent" },
  { key: "inbox_id", label: "Inbox", operators: IDS, input: "inbox" },
  { key: "team_id", label: "Team", operators: IDS, input: "team" },
  { key: "priority", label: "Priority", operators: IDS, input: "priority" },
  { key: "labels", label: "Label", operators: IDS, input: "text" },
  { key: "display_id", label: "Conversation number", operators: ["equal_to", "not_equal_to"], input: "number" },
  { key: "contact_name", label: "Contact name", operators: TEXT, input: "text" },
  { key: "contact_email", label: "Contact e-mail", operators: TEXT, input: "text" },
  { key: "created_at", label: "Created", operators: DATES, input: "date" },
  { key: "last_activity_at", label: "Last activity", operators: DATES, input: "date" },
  { key: "custom", label: "Custom attribute", operators: [...TEXT, "is_present", "is_not_present"], input: "text" },
];

type Row = { attribute: string; operator: string; value: string; customKey: string; join: "AND" | "OR" };
const blank = (): Row => ({ attribute: "status", operator: "equal_to", value: "open", customKey: "", join: "AND" });

/** The row as the API's condition; `last` has no join. */
function conditionOf(r: Row, last: boolean): FilterCondition {
  const custom = r.attribute === "custom";
  const noValue = r.operator === "is_present" || r.operator === "is_not_present";
  const numeric = /_id$/.test(r.attribute) || r.operator === "days_before";
  const values = noValue ? [] : numeric && /^\d+$/.test(r.value) ? [Number(r.value)] : [r.value.trim()];
  return {
    attribute_key: custom ? r.customKey.trim() : r.attribute,
    filter_operator: r.operator as Operator,
    values,
    query_operator: last ? null : r.join,
    ...(custom ? { custom_attribute_type: "conversation_attribute" as const } : {}),
  };
}

type Sources = { agents?: Agent[]; inboxes?: Inbox[]; teams?: Team[] };

function ValueInput({ row, n, sources, set }: { row: Row; n: number; sources: Sources; set: (v: string) => void }) {
  const spec = ATTRIBUTES.find((a) => a.key === row.attribute) ?? ATTRIBUTES[0];
  if (row.operator === "is_present" || row.operator === "is_not_present") return null;
  const label = `Value ${n}`;
  const options = (list: { value: string; text: string }[]) => (
    <label>
      Value
      <select aria-label={label} value={row.value} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">Choose…</option>
        {list.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </label>
  );
  if (row.operator === "days_before")
    return (
      <label>
        Days
        <input aria-label={label} type="number" min="0" value={row.value} onInput={(e) => set(e.currentTarget.value)} />
      </label>
    );
  switch (spec.input) {
    case "status":
      return options(["open", "pending", "snoozed", "resolved", "all"].map((s) => ({ value: s, text: s })));
    case "priority":
      return options(["urgent", "high", "medium", "low"].map((s) => ({ value: s, text: s })));
    case "agent":
      return options((sources.agents ?? []).map((a) => ({ value: String(a.id), text: a.available_name })));
    case "inbox":
      return options((sources.inboxes ?? []).map((i) => ({ value: String(i.id), text: i.name })));
    case "team":
      return options((sources.teams ?? []).map((t) => ({ value: String(t.id), text: t.name })));
    case "date":
      return (
        <label>
          Value
          <input aria-label={label} type="date" value={row.value} onInput={(e) => set(e.currentTarget.value)} />
        </label>
      );
    default:
      return (
        <label>
          Value
          <input
            aria-label={label}
            inputMode={spec.input === "number" ? "numeric" : undefined}
            value={row.value}
            onInput={(e) => set(e.currentTarget.value)}
          />
        </label>
      );
  }
}

/**
 * Chatwoot's advanced filter: rows of attribute, operator and value, each joined to the next by
 * AND or OR; "Apply filter" hands the conditions to `onApply` (the list posts them to
 * `/conversations/filter`), "Clear filter" goes back to the plain list.
 */
export function AdvancedFilter({
  sources,
  onApply,
  onClear,
}: {
  sources: Sources;
  onApply: (conditions: FilterCondition[]) => void;
  onClear: () => void;
}) {
  const [rows, setRows] = useState<Row[]>([blank()]);
  const change = (i: number, patch: Partial<Row>) =>
    setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <form
      class="advanced-filter"
      aria-label="Advanced filter"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(rows.map((r, i) => conditionOf(r, i === rows.length - 1)));
      }}
    >
      {rows.map((row, i) => {
        const spec = ATTRIBUTES.find((a) => a.key === row.attribute) ?? ATTRIBUTES[0];
        const n = i + 1;
        return (
          <fieldset key={i}>
            <legend>Condition {n}</legend>
            <label>
              Attribute
              <select
                aria-label={`Attribute ${n}`}
                value={row.attribute}
                onChange={(e) => {
                  const next = ATTRIBUTES.find((a) => a.key === e.currentTarget.value) ?? ATTRIBUTES[0];
                  change(i, { attribute: next.key, operator: next.operators[0], value: "" });
                }}
              >
                {ATTRIBUTES.map((a) => (
                  <option key={a.key} value={a.key}>
                    {a.label}
                  </option>
                ))}
              </select>
            </label>
            {row.attribute === "custom" && (
              <label>
                Key
                <input
                  aria-label={`Custom attribute key ${n}`}
                  value={row.customKey}
                  onInput={(e) => change(i, { customKey: e.currentTarget.value })}
                />
              </label>
            )}
            <label>
              Operator
              <select
                aria-label={`Operator ${n}`}
                value={row.operator}
                onChange={(e) => change(i, { operator: e.currentTarget.value })}
              >
                {spec.operators.map((op) => (
                  <option key={op} value={op}>
                    {OPERATORS[op]}
                  </option>
                ))}
              </select>
            </label>
            <ValueInput row={row} n={n} sources={sources} set={(value) => change(i, { value })} />
            {i < rows.length - 1 && (
              <label>
                Then
                <select
                  aria-label={`Join condition ${n} with the next`}
                  value={row.join}
                  onChange={(e) => change(i, { join: e.currentTarget.value as Row["join"] })}
                >
                  <option value="AND">and</option>
                  <option value="OR">or</option>
                </select>
              </label>
            )}
            {rows.length > 1 && (
              <button
                type="button"
                class="small"
                aria-label={`Remove condition ${n}`}
                onClick={() => setRows((all) => all.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            )}
          </fieldset>
        );
      })}
      <div class="actions">
        <button
          type="button"
          class="small"
          onClick={() => setRows((all) => [...all, blank()])}
          disabled={rows.length >= 20}
        >
          Add condition
        </button>
        <button type="submit" class="small primary">
          Apply filter
        </button>
        <button
          type="button"
          class="small"
          onClick={() => {
            setRows([blank()]);
            onClear();
          }}
        >
          Clear filter
        </button>
      </div>
    </form>
  );
}
