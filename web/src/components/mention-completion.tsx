import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ok, type Agent } from "../api";

/** How many agents the list shows at once. */
const SHOWN = 6;
const LISTBOX = "mention-listbox";
const optionId = (i: number) => `mention-option-${i}`;

/** `@term` right before the caret, at the start of the text or after a space: where it starts and the term. */
export function atTerm(text: string, caret: number): { start: number; term: string } | null {
  const match = /(^|\s)@([^\s@[\]()]{0,40})$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2].length - 1, term: match[2] };
}

/** Chatwoot's mention markup, which the server reads to notify the agent. */
export const mentionMarkup = (a: Pick<Agent, "id" | "available_name">) =>
  `[@${a.available_name}](mention://user/${a.id}/${encodeURIComponent(a.available_name)})`;

const MENTION = /\[@([^\]\n]{0,255})\]\(mention:\/\/user\/\d{1,15}\/[^)\s]{0,512}\)/g;

/** A message's text with each mention shown as a highlighted `@Name` (the markup is not shown). */
export function MentionText({ text }: { text: string }) {
  const parts: (string | { name: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    parts.push(text.slice(last, m.index), { name: m[1] });
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(text.slice(last));
  return (
    <>
      {parts.map((p, i) =>
        typeof p === "string" ? (
          p
        ) : (
          <strong class="mention" key={i}>
            @{p.name}
          </strong>
        ),
      )}
    </>
  );
}

/**
 * `@` completion for a private note: typing `@` and a few letters offers the account's agents
 * whose name holds them; ArrowUp/ArrowDown choose, Enter or Tab insert Chatwoot's mention markup
 * in place of `@term`, Escape closes. The box keeps the focus and points at the chosen option
 * with `aria-activedescendant`. It listens on the box itself (input, caret moves, keys), so the
 * box's own handlers stay as they are. Only while `enabled` (a note: a reply mentions nobody).
 */
export function useMentionCompletion({
  accountId,
  box,
  value,
  setValue,
  enabled,
}: {
  accountId: number;
  box: RefObject<HTMLTextAreaElement | null>;
  value: string;
  setValue: (v: string) => void;
  enabled: boolean;
}) {
  const [token, setToken] = useState<{ start: number; term: string } | null>(null);
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [active, setActive] = useState(0);
  // Escape closes the list until the term changes.
  const [dismissed, setDismissed] = useState<string | null>(null);

  const wanted = enabled && token !== null;
  useEffect(() => {
    if (!wanted || agents) return;
    ok(api.GET("/api/v1/accounts/{account_id}/agents", { params: { path: { account_id: accountId } } })).then(
      (list) => setAgents(list),
      () => setAgents([]),
    );
  }, [wanted, agents, accountId]);

  const term = token?.term.toLowerCase() ?? "";
  const options = (agents ?? [])
    .filter((a) => a.available_name.toLowerCase().includes(term) || a.name.toLowerCase().includes(term))
    .slice(0, SHOWN);
  // Still in the text (a send or a reset replaces the text without typing).
  const present = token !== null && value.slice(token.start, token.start + 1 + token.term.length) === `@${token.term}`;
  const open = enabled && present && dismissed !== token.term && options.length > 0;

  // The latest state, for the box's listeners (added once).
  const state = useRef({ open, options, active, token, value });
  state.current = { open, options, active, token, value };

  const insert = (a: Agent) => {
    const el = box.current;
    const { token: t, value: text } = state.current;
    if (!t || !el) return;
    const markup = `${mentionMarkup(a)} `;
    const end = t.start + 1 + t.term.length;
    const caret = t.start + markup.length;
    setValue(text.slice(0, t.start) + markup + text.slice(end));
    setToken(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(caret, caret);
    });
  };
  const insertRef = useRef(insert);
  insertRef.current = insert;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const update = () => {
      const next = atTerm(el.value, el.selectionStart ?? el.value.length);
      setToken(next);
      setDismissed((d) => (next && next.term === d ? d : null));
    };
    const onKeyUp = (e: KeyboardEvent) => /^(Arrow(Left|Right)|Home|End)$/.test(e.key) && update();
    const onKeyDown = (e: KeyboardEvent) => {
      const s = state.current;
      if (!s.open) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        const step = e.key === "ArrowDown" ? 1 : -1;
        setActive((i) => (i + step + s.options.length) % s.options.length);
      } else if ((e.key === "Enter" || e.key === "Tab") && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
        insertRef.current(s.options[Math.min(s.active, s.options.length - 1)]);
      } else if (e.key === "Escape") {
        setDismissed(s.token?.term ?? null);
      } else return;
      e.preventDefault();
    };
    const close = () => setToken(null);
    el.addEventListener("input", update);
    el.addEventListener("click", update);
    el.addEventListener("keyup", onKeyUp);
    // Before the box's own key handler, so Enter picks an agent instead of starting a line.
    el.addEventListener("keydown", onKeyDown, { capture: true });
    el.addEventListener("blur", close);
    return () => {
      el.removeEventListener("input", update);
      el.removeEventListener("click", update);
      el.removeEventListener("keyup", onKeyUp);
      el.removeEventListener("keydown", onKeyDown, { capture: true });
      el.removeEventListener("blur", close);
    };
  }, [box]);

  useEffect(() => setActive(0), [term]);

  // Only while open, so another completion's attributes on the same box stay when this one is closed.
  const inputProps = open ? { "aria-controls": LISTBOX, "aria-activedescendant": optionId(active) } : {};

  const listbox = open && (
    <div id={LISTBOX} role="listbox" aria-label="Mention an agent" class="canned-list mention-list">
      {options.map((a, i) => (
        // biome-ignore lint/a11y/useKeyWithClickEvents: keys work from the note box (aria-activedescendant)
        <div
          key={a.id}
          id={optionId(i)}
          role="option"
          tabIndex={-1}
          aria-selected={i === active}
          class={i === active ? "active" : ""}
          // Before the box loses the focus.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => insert(a)}
        >
          <strong>@{a.available_name}</strong> <span class="muted">{a.email}</span>
        </div>
      ))}
    </div>
  );

  return { open, inputProps, listbox };
}
