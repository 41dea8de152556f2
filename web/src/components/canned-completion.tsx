import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api";

type Canned = Schemas["CannedResponse"];

/** How many suggestions the list shows at once. */
const SHOWN = 8;
const LISTBOX = "canned-listbox";
const optionId = (i: number) => `canned-option-${i}`;

/** `/term` right before the caret, at the start of the text or after a space: where it starts and the term. */
export function slashTerm(text: string, caret: number): { start: number; term: string } | null {
  const match = /(^|\s)\/([^\s/]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2].length - 1, term: match[2] };
}

/**
 * Canned-response completion for a text box: typing `/` and a few letters offers the account's
 * canned responses whose short code (first) or content contains them, from the API's `search`.
 * ArrowUp/ArrowDown choose, Enter or Tab insert the content in place of `/term`, Escape closes.
 * The box keeps the focus and points at the chosen option with `aria-activedescendant`.
 */
export function useCannedCompletion({
  accountId,
  box,
  value,
  setValue,
}: {
  accountId: number;
  box: RefObject<HTMLTextAreaElement | null>;
  value: string;
  setValue: (v: string) => void;
}) {
  const [token, setToken] = useState<{ start: number; term: string } | null>(null);
  const [options, setOptions] = useState<Canned[]>([]);
  const [active, setActive] = useState(0);
  // Escape closes the list until the term changes.
  const [dismissed, setDismissed] = useState<string | null>(null);
  const asked = useRef(0);

  const term = token?.term;
  useEffect(() => {
    if (term === undefined) return setOptions([]);
    const n = ++asked.current;
    ok(
      api.GET("/api/v1/accounts/{account_id}/canned_responses", {
        params: { path: { account_id: accountId }, query: { search: term || undefined } },
      }),
    ).then(
      (found) => {
        if (n !== asked.current) return;
        setOptions(found.slice(0, SHOWN));
        setActive(0);
      },
      () => n === asked.current && setOptions([]),
    );
  }, [term, accountId]);

  // Still in the text (a send or a reset replaces the text without typing).
  const present = token !== null && value.slice(token.start, token.start + 1 + token.term.length) === `/${token.term}`;
  const open = present && dismissed !== token.term && options.length > 0;

  /** Reads the `/term` at the caret again (after typing or moving the caret). */
  const update = () => {
    const el = box.current;
    const next = el ? slashTerm(el.value, el.selectionStart ?? el.value.length) : null;
    setToken(next);
    if (!next || next.term !== dismissed) setDismissed(null);
  };

  const insert = (c: Canned) => {
    const el = box.current;
    if (!token || !el) return;
    const end = token.start + 1 + token.term.length;
    const text = value.slice(0, token.start) + c.content + value.slice(end);
    const caret = token.start + c.content.length;
    setValue(text);
    setToken(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(caret, caret);
    });
  };

  /** Handles the list's keys; true when the key was the list's (the box should not act on it). */
  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if ((e.key === "Enter" || e.key === "Tab") && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      insert(options[active]);
    } else if (e.key === "Escape") {
      setDismissed(token?.term ?? null);
    } else return false;
    e.preventDefault();
    return true;
  };

  const inputProps = {
    "aria-autocomplete": "list" as const,
    "aria-controls": open ? LISTBOX : undefined,
    "aria-activedescendant": open ? optionId(active) : undefined,
    "aria-describedby": "canned-hint",
  };

  const listbox = (
    <>
      <span id="canned-hint" class="sr">
        Type / and a short code to insert a canned response.
      </span>
      {open && (
        <div id={LISTBOX} role="listbox" aria-label="Canned responses" class="canned-list">
          {options.map((c, i) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: keys work from the reply box (aria-activedescendant)
            <div
              key={c.id}
              id={optionId(i)}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              class={i === active ? "active" : ""}
              // Before the box loses the focus.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => insert(c)}
            >
              <strong>/{c.short_code}</strong> <span class="muted">{c.content}</span>
            </div>
          ))}
        </div>
      )}
    </>
  );

  return { open, update, onKeyDown, inputProps, listbox, close: () => setToken(null) };
}
