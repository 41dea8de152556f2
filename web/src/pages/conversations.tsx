import { useEffect, useRef, useState } from "preact/hooks";
import { api, ok, type ConversationItem } from "../api";
import { ContactPanel } from "../components/contact-panel";
import {
  AdvancedFilter,
  type ConversationType,
  ConversationTypeViews,
  type FilterCondition,
} from "../components/conversation-filter";
import { Thread } from "../components/thread";
import { Alert, TeamSelect, time, useLoad } from "../components/ui";
import { BASE } from "../router";
import { useSession } from "../session";
import { BotHolder } from "../components/bot-holder";

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
  const [conversationType, setConversationType] = useState<ConversationType>("");
  const [showFilter, setShowFilter] = useState(false);
  const [advanced, setAdvanced] = useState<FilterCondition[] | null>(null);
  // Typed filters apply as you type, once you pause.
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(search.trim());
      setLabel(labelInput.trim());
    }, 300);
    return () => clearTimeout(t);
  }, [search, labelInput]);

  const [contactMerges, setContactMerges] = useState(0);
  const inboxes = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/inboxes", { params: { path: { account_id } } })),
    [account_id],
  );
  const teams = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/teams", { params: { path: { account_id } } })),
    [account_id],
  );
  const accountLabels = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/labels", { params: { path: { account_id } } })),
    [account_id],
  );
  const sidebar = (accountLabels.data?.payload ?? [])
    .filter((l) => l.show_on_sidebar)
    .sort((a, b) => a.title.localeCompare(b.title));
  /** A sidebar label filters the list at once (a second press clears it). */
  const chooseLabel = (title: string) => {
    const next = label === title ? "" : title;
    setLabelInput(next);
    setLabel(next);
  };
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
              conversation_type: conversationType || undefined,
            },
          },
        }),
      ),
    [account_id, view, status, inboxId, teamId, label, q, conversationType],
  );
  // An applied advanced filter replaces the list (POST /conversations/filter).
  const filtered = useLoad(
    () =>
      advanced
        ? ok(
            api.POST("/api/v1/accounts/{account_id}/conversations/filter", {
              params: { path: { account_id } },
              body: { payload: advanced },
            }),
          )
        : Promise.resolve(undefined),
    [account_id, advanced],
  );
  const agents = useLoad(
    () =>
      showFilter
        ? ok(api.GET("/api/v1/accounts/{account_id}/agents", { params: { path: { account_id } } }))
        : Promise.resolve(undefined),
    [account_id, showFilter],
  );
  const shown = advanced ? filtered.data?.payload : list.data?.data.payload;

  // Live: any conversation or message event refreshes the list (once per burst).
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(
    () =>
      live.onFrame((frame) => {
        if (!/^(conversation|message)\./.test(frame.event) && frame.event !== "replay.truncated") return;
        if (frame.event.startsWith("conversation.typing")) return;
        clearTimeout(timer.current);
        timer.current = setTimeout(() => {
          list.reload();
          filtered.reload();
        }, 250);
      }) as () => void,
    [live],
  );

  const seenLabels = new Set<string>(accountLabels.data?.payload.map((l) => l.title));
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
        <ConversationTypeViews value={conversationType} onChange={setConversationType} />
        {sidebar.length > 0 && (
          <div class="label-sidebar">
            <h2>Labels</h2>
            <ul class="chips">
              {sidebar.map((l) => (
                <li key={l.id}>
                  <button
                    type="button"
                    class="chip"
                    aria-pressed={label === l.title}
                    onClick={() => chooseLabel(l.title)}
                  >
                    <span class="swatch" style={{ background: l.color }} aria-hidden="true" />
                    {l.title}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
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
        <button type="button" class="small" aria-expanded={showFilter} onClick={() => setShowFilter(!showFilter)}>
          Advanced filter
        </button>
        {showFilter && (
          <AdvancedFilter
            sources={{ agents: agents.data, inboxes: inboxes.data?.payload, teams: teams.data }}
            onApply={setAdvanced}
            onClear={() => setAdvanced(null)}
          />
        )}
        {advanced && filtered.data && (
          <p class="muted" role="status">
            Filtered: {filtered.data.meta.all_count} conversations match.
          </p>
        )}
        <Alert>{advanced ? filtered.error : list.error}</Alert>
        <ul class="conversation-list" aria-label="Conversation list">
          {shown?.map((c) => (
            <ConversationEntry key={c.id} c={c} current={c.id === selected} inbox={inboxName(c.inbox_id)} />
          ))}
        </ul>
        {shown && shown.length === 0 && <p class="empty">No conversations here.</p>}
      </section>
      {selected ? (
        <>
          <Thread key={`${selected}:${contactMerges}`} id={selected} onChanged={list.reload} />
          <ContactPanel
            key={`c${selected}`}
            conversationId={selected}
            onMerged={() => {
              // The conversation's contact (and its messages' sender) changed: show it everywhere.
              setContactMerges((n) => n + 1);
              list.reload();
            }}
          />
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
        <BotHolder meta={c.meta} />
        {c.status === "snoozed" && c.snoozed_until ? (
          <span class="excerpt">Snoozed until {time(c.snoozed_until)}</span>
        ) : null}
      </a>
    </li>
  );
}
