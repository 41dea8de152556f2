import { useEffect, useRef, useState } from "preact/hooks";
import { api, ok, type ConversationItem } from "../api";
import { ContactPanel } from "../components/contact-panel";
import { Thread } from "../components/thread";
import { Alert, TeamSelect, useLoad } from "../components/ui";
import { BASE } from "../router";
import { useSession } from "../session";

type View = "me" | "unassigned" | "all";
type Status = "open" | "pending" | "resolved" | "snoozed" | "all";
const VIEWS: [View, string, "mine_count" | "unassigned_count" | "all_count"][] = [
  ["me", "Mine", "mine_count"],
  ["unassigned", "Unassigned", "unassigned_count"],
  ["all", "All", "all_count"],
];

export function Conversations({ selected }: { selected: number | null }) {
  const { me, live } = useSession();
  const account_id = me.accountId;
  const [view, setView] = useState<View>("me");
  const [status, setStatus] = useState<Status>("open");
  const [inboxId, setInboxId] = useState("");
  const [teamId, setTeamId] = useState("");
  const [labelInput, setLabelInput] = useState("");
  const [label, setLabel] = useState("");
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  // Typed filters apply as you type, once you pause.
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(search.trim());
      setLabel(labelInput.trim());
    }, 300);
    return () => clearTimeout(t);
  }, [search, labelInput]);

  const inboxes = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/inboxes", { params: { path: { account_id } } })),
    [account_id],
  );
  const teams = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/teams", { params: { path: { account_id } } })),
    [account_id],
  );
  const list = useLoad(
    () =>
      ok(
        api.GET("/api/v1/accounts/{account_id}/conversations", {
          params: {
            path: { account_id },
            query: {
              assignee_type: view,
              status,
              inbox_id: inboxId || undefined,
              team_id: teamId || undefined,
              labels: label ? [label] : undefined,
              q: q || undefined,
            },
          },
        }),
      ),
    [account_id, view, status, inboxId, teamId, label, q],
  );

  // Live: any conversation or message event refreshes the list (once per burst).
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(
    () =>
      live.onFrame((frame) => {
        if (!/^(conversation|message)\./.test(frame.event) && frame.event !== "replay.truncated") return;
        if (frame.event.startsWith("conversation.typing")) return;
        clearTimeout(timer.current);
        timer.current = setTimeout(list.reload, 250);
      }) as () => void,
    [live],
  );

  const seenLabels = new Set<string>();
  for (const c of list.data?.data.payload ?? []) for (const l of c.labels) seenLabels.add(l);
  const meta = list.data?.data.meta;
  const inboxName = (id: number) => inboxes.data?.payload.find((i) => i.id === id)?.name ?? `Inbox ${id}`;

  return (
    <div class={`conversations ${selected ? "has-selection" : ""}`}>
      <section class="list-pane" aria-labelledby="conversations-title">
        <h1 id="conversations-title">Conversations</h1>
        {/* biome-ignore lint/a11y/useSemanticElements: toggle buttons, not a form section (no fieldset border) */}
        <div class="views" role="group" aria-label="View">
          {VIEWS.map(([value, text, count]) => (
            <button type="button" key={value} aria-pressed={view === value} onClick={() => setView(value)}>
              {text} <span class="count">{meta ? meta[count] : ""}</span>
            </button>
          ))}
        </div>
        <div class="filters">
          <label>
            Status
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value as Status)}>
              <option value="open">Open</option>
              <option value="pending">Pending</option>
              <option value="snoozed">Snoozed</option>
              <option value="resolved">Resolved</option>
              <option value="all">All</option>
            </select>
          </label>
          <label>
            Inbox
            <select value={inboxId} onChange={(e) => setInboxId(e.currentTarget.value)}>
              <option value="">All inboxes</option>
              {inboxes.data?.payload.map((i) => (
                <option value={String(i.id)} key={i.id}>
                  {i.name}
                </option>
              ))}
            </select>
          </label>
          <TeamSelect teams={teams.data} none="All teams" value={teamId} onChange={setTeamId} />
          <label>
            Label
            <input
              list="known-labels"
              value={labelInput}
              placeholder="any"
              onInput={(e) => setLabelInput(e.currentTarget.value)}
            />
            <datalist id="known-labels">
              {[...seenLabels].map((l) => (
                <option value={l} key={l} />
              ))}
            </datalist>
          </label>
          <label class="search">
            Search
            <input
              type="search"
              value={search}
              placeholder="Messages, names, e-mails"
              onInput={(e) => setSearch(e.currentTarget.value)}
            />
          </label>
        </div>
        <Alert>{list.error}</Alert>
        <ul class="conversation-list" aria-label="Conversation list">
          {list.data?.data.payload.map((c) => (
            <ConversationEntry key={c.id} c={c} current={c.id === selected} inbox={inboxName(c.inbox_id)} />
          ))}
        </ul>
        {list.data && list.data.data.payload.length === 0 && <p class="empty">No conversations here.</p>}
      </section>
      {selected ? (
        <>
          <Thread key={selected} id={selected} onChanged={list.reload} />
          <ContactPanel key={`c${selected}`} conversationId={selected} />
        </>
      ) : (
        <section class="thread-pane empty-pane" aria-label="No conversation selected">
          <p>Choose a conversation.</p>
        </section>
      )}
    </div>
  );
}

function ConversationEntry({ c, current, inbox }: { c: ConversationItem; current: boolean; inbox: string }) {
  const last = c.last_non_activity_message as { content?: string | null; private?: boolean } | null;
  return (
    <li>
      <a
        href={`${BASE}/conversations/${c.id}`}
        class={`conversation-item ${current ? "current" : ""}`}
        aria-current={current ? "page" : undefined}
      >
        <span class="row">
          <strong>{c.meta.sender.name}</strong>
          {c.unread_count > 0 && (
            <span class="badge">
              {c.unread_count}
              <span class="sr"> unread</span>
            </span>
          )}
        </span>
        <span class="excerpt">
          {last?.private ? "Private note: " : ""}
          {last?.content ?? ""}
        </span>
        <span class="row meta">
          <span>
            #{c.id} · {inbox}
          </span>
          <span class={`status status-${c.status}`}>{c.status}</span>
        </span>
      </a>
    </li>
  );
}
