import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, ok, type Conversation, type Message } from "../api";
import { BASE } from "../router";
import { useSession } from "../session";
import { useCannedCompletion } from "./canned-completion";
import { MentionText, useMentionCompletion } from "./mention-completion";
import { AddLabel } from "./label-picker";
import { CsatMessage } from "./csat-message";
import { Alert, errorText, TeamSelect, time, useAction, useLoad } from "./ui";
import { agentAssigneeId, BotHolder } from "./bot-holder";

const TYPE = ["incoming", "outgoing", "activity", "template"] as const;
const AUTO_REPLY: Record<string, string | undefined> = { greeting: "Greeting", out_of_office: "Out-of-office message" };
/** The API's page of messages: a full one may have older messages before it (its meta does not say). */
const PAGE = 20;
/** The largest file the API takes (src/lib/body.ts MAX_FILE_BYTES). */
const MAX_FILE_BYTES = 40 * 1024 * 1024;

/** Uploads one file ahead of its message; answers its blob id. */
async function uploadFile(accountId: number, file: File): Promise<string> {
  const form = new FormData();
  form.append("attachment", file);
  const uploaded = await ok(
    api.POST("/api/v1/accounts/{account_id}/upload", {
      params: { path: { account_id: accountId } },
      body: form as never,
      bodySerializer: (b: unknown) => b as FormData,
    }),
  );
  return uploaded.blob_id;
}

/**
 * A file of a message, through the route that signs its link when it is opened: a data_url lasts
 * an hour, and a thread may stay open all day.
 */
const fileLink = (m: Message, attachmentId: number) =>
  `/api/v1/accounts/${m.account_id}/conversations/${m.conversation_id}/attachments/${attachmentId}`;

export function Thread({ id, onChanged }: { id: number; onChanged: () => void }) {
  const { me, live } = useSession();
  const account_id = me.accountId;
  const path = { account_id, conversation_id: id };
  const conversation = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/conversations/{conversation_id}", { params: { path } })),
    [id],
  );
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [typing, setTyping] = useState<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const loadOlderButton = useRef<HTMLButtonElement>(null);
  const older = useAction();
  // Whether a page before the oldest message shown may exist; set by the latest page until the
  // agent has paged back, then by the older pages alone.
  const [hasOlder, setHasOlder] = useState(false);
  const pagedBack = useRef(false);
  // The message that was first before older ones were put above it, and where it was on screen.
  const anchor = useRef<{ el: Element; top: number } | null>(null);

  // Reloads can overlap (a change of ours and its live event): only the latest one is applied,
  // and messages that arrived live after it was read are kept.
  const loads = useRef(0);
  const loadMessages = () => {
    const n = ++loads.current;
    return ok(
      api.GET("/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", { params: { path } }),
    ).then(
      (r) => {
        if (n !== loads.current) return;
        setError(null);
        if (!pagedBack.current) setHasOlder(r.payload.length >= PAGE);
        if (r.payload.length === 0) return;
        const first = r.payload[0].id;
        const last = r.payload.reduce((max, m) => Math.max(max, m.id), 0);
        // The page replaces what it covers; older pages loaded before and newer live messages stay.
        setMessages((list) => [...list.filter((m) => m.id < first), ...r.payload, ...list.filter((m) => m.id > last)]);
      },
      (e) => n === loads.current && setError(errorText(e)),
    );
  };
  // Opening the conversation (and reading what arrives while it is open) marks it read.
  const markSeen = () =>
    ok(
      api.POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/update_last_seen", { params: { path } }),
    ).then(onChanged, () => {});
  const merge = (m: Message) =>
    setMessages((list) => {
      const i = list.findIndex((x) => x.id === m.id || (m.echo_id && x.echo_id === m.echo_id));
      if (i === -1) return [...list, m].sort((a, b) => a.created_at - b.created_at || a.id - b.id);
      const next = list.slice();
      next[i] = m;
      return next;
    });

  useEffect(() => {
    loadMessages();
    markSeen();
  }, [id]);

  useEffect(() => {
    let typingTimer: ReturnType<typeof setTimeout>;
    let seenTimer: ReturnType<typeof setTimeout>;
    const off = live.onFrame((frame) => {
      const d = frame.data ?? {};
      if (frame.event === "message.created" || frame.event === "message.updated") {
        if (d.conversation_id !== id) return;
        merge(d as Message);
        if (frame.event === "message.created" && d.message_type === 0) {
          setTyping(null);
          // Seen as it arrives: the conversation is open in front of the agent.
          clearTimeout(seenTimer);
          seenTimer = setTimeout(markSeen, 300);
        }
      } else if (frame.event === "conversation.updated" || frame.event === "conversation.status_changed") {
        if (d.id === id) {
          conversation.reload();
          loadMessages(); // activity messages arrive with the change
        }
      } else if (frame.event === "conversation.typing_on" && d.conversation?.id === id) {
        setTyping(d.user?.name ?? "Someone");
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => setTyping(null), 30_000);
      } else if (frame.event === "conversation.typing_off" && d.conversation?.id === id) {
        setTyping(null);
      } else if (frame.event === "replay.truncated") {
        conversation.reload();
        loadMessages();
      }
    });
    return () => {
      off();
      clearTimeout(typingTimer);
      clearTimeout(seenTimer);
    };
  }, [live, id]);

  const loadOlder = () => {
    // Asked now: the button is disabled while it loads, which takes the focus away from it.
    const hadFocus = document.activeElement === loadOlderButton.current;
    return older.run(async () => {
      const oldest = messages.reduce((min, m) => Math.min(min, m.id), Infinity);
      if (oldest === Infinity) return;
      const r = await ok(
        api.GET("/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", {
          params: { path, query: { before: oldest } },
        }),
      );
      pagedBack.current = true;
      const more = r.payload.length >= PAGE;
      setHasOlder(more);
      // The button goes away with the last page: keep the keyboard focus in the thread.
      if (!more && hadFocus) listRef.current?.focus({ preventScroll: true });
      const el = listRef.current?.firstElementChild;
      if (el && r.payload.length) anchor.current = { el, top: el.getBoundingClientRect().top };
      // Without duplicates: a message may have arrived live or with a reload meanwhile.
      setMessages((list) => {
        const known = new Set(list.map((m) => m.id));
        const add = r.payload.filter((m) => !known.has(m.id));
        if (!add.length) anchor.current = null;
        return add.length ? [...add, ...list] : list;
      });
    });
  };

  // New messages scroll the thread to the bottom; older ones put above keep what was on screen.
  useLayoutEffect(() => {
    const a = anchor.current;
    anchor.current = null;
    if (!a) {
      bottom.current?.scrollIntoView({ block: "end" });
      return;
    }
    const pane = listRef.current?.closest(".thread-pane");
    if (pane) pane.scrollTop += a.el.getBoundingClientRect().top - a.top;
    const rest = a.el.getBoundingClientRect().top - a.top;
    if (rest) window.scrollBy(0, rest);
  }, [messages.length]);

  const c = conversation.data;
  return (
    <section class="thread-pane" aria-labelledby="thread-title">
      <div class="thread-head">
        <a class="back" href={`${BASE}/`}>
          ← Conversations
        </a>
        <h2 id="thread-title">{c ? `${c.meta.sender.name} · #${c.id}` : `Conversation #${id}`}</h2>
        {c && <span class={`status status-${c.status}`}>Status: {c.status}</span>}
        {c && <BotHolder meta={c.meta} />}
      </div>
      <Alert>{conversation.error ?? error}</Alert>
      {c && (
        <Controls
          conversation={c}
          onChanged={() => {
            conversation.reload();
            loadMessages();
            onChanged();
          }}
        />
      )}
      {hasOlder && (
        <button type="button" ref={loadOlderButton} class="load-older" disabled={older.busy} onClick={loadOlder}>
          Load older messages
        </button>
      )}
      <Alert>{older.error}</Alert>
      <ol class="messages" aria-label="Messages" aria-live="polite" tabIndex={-1} ref={listRef}>
        {messages.map((m) => (
          <MessageItem key={m.id} m={m} onRetried={merge} />
        ))}
      </ol>
      <div ref={bottom} />
      <p class="typing" role="status">
        {typing ? `${typing} is typing…` : ""}
      </p>
      <Reply conversationId={id} onSent={merge} />
    </section>
  );
}

function MessageItem({ m, onRetried }: { m: Message; onRetried: (m: Message) => void }) {
  const { me } = useSession();
  const { run, error, busy } = useAction();
  const kind = TYPE[m.message_type] ?? "incoming";
  if (kind === "activity")
    return (
      <li class="message activity">
        <span>{m.content}</span> <time>{time(m.created_at)}</time>
      </li>
    );
  if (m.content_type === "input_csat") return <CsatMessage m={m} />;
  const cls = `message ${kind} ${m.private ? "private" : ""}`;
  const label = m.private ? "Private note" : kind === "incoming" ? "Incoming message" : "Outgoing message";
  // The inbox's own greeting or out-of-office answer: no sender, named for what it is.
  const auto = AUTO_REPLY[(m.content_attributes as { auto_reply?: string }).auto_reply ?? ""];
  return (
    <li class={cls} aria-label={auto ?? `${label} from ${m.sender?.name ?? "unknown"}`}>
      <div class="message-head">
        {m.private && <span class="tag private-tag">Private note</span>}
        <strong>{m.sender?.name ?? (auto ? `${auto} (automatic)` : "")}</strong>
        <time>{time(m.created_at)}</time>
      </div>
      {m.content && (
        <p class="content">
          <MentionText text={m.content} />
        </p>
      )}
      {m.attachments.length > 0 && (
        <ul class="attachments" aria-label="Attachments">
          {m.attachments.map((a) => (
            <li key={a.id}>
              {a.file_type === "image" ? (
                <a href={fileLink(m, a.id)} target="_blank" rel="noopener">
                  <img src={fileLink(m, a.id)} alt={a.file_name} loading="lazy" />
                </a>
              ) : (
                <a href={fileLink(m, a.id)} download={a.file_name}>
                  Download {a.file_name} ({Math.ceil(a.file_size / 1024)} KB)
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
      {kind === "outgoing" && !m.private && (
        <div class={`delivery delivery-${m.status}`}>
          <span>Delivery: {m.status}</span>
          {m.status === "failed" && (
            <>
              {(m.content_attributes as { external_error?: string }).external_error && (
                <span> ({String((m.content_attributes as { external_error?: string }).external_error)})</span>
              )}
              <button
                type="button"
                class="small"
                disabled={busy}
                onClick={() =>
                  run(async () =>
                    onRetried(
                      (await ok(
                        api.POST(
                          "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}/retry",
                          {
                            params: {
                              path: { account_id: me.accountId, conversation_id: m.conversation_id, message_id: m.id },
                            },
                          },
                        ),
                      )) as Message,
                    ),
                  )
                }
              >
                Retry
              </button>
            </>
          )}
          <Alert>{error}</Alert>
        </div>
      )}
    </li>
  );
}

function Reply({ conversationId, onSent }: { conversationId: number; onSent: (m: Message) => void }) {
  const { me } = useSession();
  const [content, setContent] = useState("");
  const [isPrivate, setPrivate] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const canned = useCannedCompletion({ accountId: me.accountId, box, value: content, setValue: setContent });
  const mention = useMentionCompletion({
    accountId: me.accountId,
    box,
    value: content,
    setValue: setContent,
    enabled: isPrivate,
  });
  const { run, error, busy } = useAction();
  const typingOn = useRef(false);
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const path = { account_id: me.accountId, conversation_id: conversationId };

  const typing = (on: boolean) => {
    if (typingOn.current === on) return;
    typingOn.current = on;
    api
      .POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_typing_status", {
        params: { path },
        body: { typing_status: on ? "on" : "off", is_private: isPrivate },
      })
      .catch(() => {});
  };
  useEffect(() => () => typing(false), []);

  const send = (e: Event) => {
    e.preventDefault();
    if (!content.trim() && files.length === 0) return;
    clearTimeout(idle.current);
    typing(false);
    run(async () => {
      const echo_id = `console-${crypto.randomUUID()}`;
      const tooLarge = files.find((f) => f.size > MAX_FILE_BYTES);
      if (tooLarge) throw new Error(`${tooLarge.name} is larger than 40 MB, the largest file a message can carry`);
      // Each file is uploaded on its own (one request per file, so their sizes never add up), then
      // the message names them by blob id.
      const attachments: string[] = [];
      for (const f of files) attachments.push(await uploadFile(me.accountId, f));
      const message = await ok(
        api.POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", {
          params: { path },
          body: { content, private: isPrivate, echo_id, ...(attachments.length ? { attachments } : {}) },
        }),
      );
      onSent(message as Message);
      setContent("");
      setFiles([]);
      if (fileInput.current) fileInput.current.value = "";
    });
  };

  return (
    <form class={`reply ${isPrivate ? "private" : ""}`} onSubmit={send}>
      <label class="reply-label" for="reply-box">
        {isPrivate ? "Private note (agents only)" : "Reply"}
      </label>
      {canned.listbox}
      {mention.listbox}
      <textarea
        id="reply-box"
        aria-label="Reply"
        rows={3}
        value={content}
        ref={box}
        {...canned.inputProps}
        {...mention.inputProps}
        onInput={(e) => {
          setContent(e.currentTarget.value);
          canned.update();
          typing(true);
          clearTimeout(idle.current);
          idle.current = setTimeout(() => typing(false), 3000);
        }}
        onKeyDown={(e) => {
          if (canned.onKeyDown(e)) return;
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) send(e);
        }}
        onKeyUp={(e) => /^(Arrow(Left|Right)|Home|End)$/.test(e.key) && canned.update()}
        onClick={canned.update}
        onBlur={canned.close}
        placeholder={isPrivate ? "Only agents see this note" : "Write to the customer (Ctrl+Enter sends)"}
      />
      <div class="reply-bar">
        <label class="check">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.currentTarget.checked)} />
          Private note
        </label>
        <label class="file">
          Attach files
          <input ref={fileInput} type="file" multiple onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])} />
        </label>
        {files.length > 0 && <span>{files.map((f) => f.name).join(", ")}</span>}
        <button type="submit" class="primary" disabled={busy}>
          Send
        </button>
      </div>
      <Alert>{error}</Alert>
    </form>
  );
}

function Controls({ conversation: c, onChanged }: { conversation: Conversation; onChanged: () => void }) {
  const { me } = useSession();
  const account_id = me.accountId;
  const path = { account_id, conversation_id: c.id };
  const { run, error, busy } = useAction();
  const agents = useLoad(
    () =>
      ok(
        api.GET("/api/v1/accounts/{account_id}/inboxes/{id}/assignable_agents", {
          params: { path: { account_id, id: c.inbox_id } },
        }),
      ),
    [c.inbox_id],
  );
  const teams = useLoad(
    () => ok(api.GET("/api/v1/accounts/{account_id}/teams", { params: { path: { account_id } } })),
    [account_id],
  );
  const [snooze, setSnooze] = useState("");
  const [labels, setLabels] = useState(c.labels.join(", "));
  useEffect(() => setLabels(c.labels.join(", ")), [c.labels.join(",")]);

  const toggle = (status: "open" | "resolved" | "pending" | "snoozed", snoozed_until?: number) =>
    run(async () => {
      await ok(
        api.POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status", {
          params: { path },
          body: { status, snoozed_until },
        }),
      );
      onChanged();
    });
  const assign = (body: { assignee_id?: number | null; team_id?: number | null }) =>
    run(async () => {
      await ok(
        api.POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/assignments", {
          params: { path },
          body,
        }),
      );
      onChanged();
    });

  return (
    // biome-ignore lint/a11y/useSemanticElements: a toolbar of buttons, not a form section
    <div class="controls" role="group" aria-label="Conversation actions">
      {c.status !== "resolved" && (
        <button type="button" class="primary" disabled={busy} onClick={() => toggle("resolved")}>
          Resolve
        </button>
      )}
      {c.status !== "open" && (
        <button type="button" disabled={busy} onClick={() => toggle("open")}>
          Reopen
        </button>
      )}
      {c.status !== "pending" && c.status !== "resolved" && (
        <button type="button" disabled={busy} onClick={() => toggle("pending")}>
          Mark pending
        </button>
      )}
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (snooze) toggle("snoozed", Math.floor(new Date(snooze).getTime() / 1000));
        }}
      >
        <label>
          Snooze until
          <input type="datetime-local" value={snooze} onInput={(e) => setSnooze(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy || !snooze}>
          Snooze
        </button>
      </form>
      {c.status === "snoozed" && c.snoozed_until && <span>Snoozed until {time(c.snoozed_until)}</span>}
      <label>
        Assignee
        <select
          value={agentAssigneeId(c.meta)}
          onChange={(e) => assign({ assignee_id: e.currentTarget.value ? Number(e.currentTarget.value) : null })}
        >
          <option value="">Unassigned</option>
          {agents.data?.payload.map((a) => (
            <option value={String(a.id)} key={a.id}>
              {a.available_name || a.name} ({a.availability_status})
            </option>
          ))}
        </select>
      </label>
      <TeamSelect
        teams={teams.data}
        none="No team"
        value={String(c.meta.team?.id ?? "")}
        onChange={(v) => assign({ team_id: v ? Number(v) : null })}
      />
      <label>
        Priority
        <select
          value={c.priority ?? ""}
          onChange={(e) =>
            run(async () => {
              const priority = (e.currentTarget.value || null) as "low" | "medium" | "high" | "urgent" | null;
              await ok(
                api.POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_priority", {
                  params: { path },
                  body: { priority },
                }),
              );
              onChanged();
            })
          }
        >
          <option value="">None</option>
          <option value="low">Low</option>
          <option value="medium">Medium</option>
          <option value="high">High</option>
          <option value="urgent">Urgent</option>
        </select>
      </label>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const list = labels
            .split(",")
            .map((l) => l.trim())
            .filter(Boolean);
          run(async () => {
            await ok(
              api.POST("/api/v1/accounts/{account_id}/conversations/{conversation_id}/labels", {
                params: { path },
                body: { labels: list },
              }),
            );
            onChanged();
          });
        }}
      >
        <label>
          Labels
          <input value={labels} placeholder="billing, vip" onInput={(e) => setLabels(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Save labels
        </button>
      </form>
      <AddLabel conversation={c} onChanged={onChanged} />
      <Alert>{error}</Alert>
    </div>
  );
}
