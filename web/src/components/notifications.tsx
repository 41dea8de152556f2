import type { Readable } from "openapi-typescript-helpers";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api";
import { BASE, navigate } from "../router";
import { useSession } from "../session";
import { Alert, time, useAction } from "./ui";

type Notification = Readable<Schemas["Notification"]>;

const PANEL = "notifications-panel";
const BELL =
  "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0" +
  "v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z";

/**
 * The header's bell: the caller's unread count, and a panel listing their notifications (read
 * ones too) to open, mark read, or mark all read. Kept live by the `notification.*` frames of
 * the caller's socket (the server sends them to that agent alone), after which the count is
 * read again; a replay that was cut short reloads.
 */
export function NotificationsBell() {
  const { me, live } = useSession();
  const account_id = me.accountId;
  const [unread, setUnread] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const { run, error } = useAction();
  const button = useRef<HTMLButtonElement>(null);
  const path = { account_id };

  // Only the latest answer counts: an earlier request may answer after a later one.
  const asked = useRef(0);
  const loadCount = () => {
    const n = ++asked.current;
    return ok(api.GET("/api/v1/accounts/{account_id}/notifications/unread_count", { params: { path } })).then(
      (count) => n === asked.current && setUnread(count),
      () => {},
    );
  };
  const loadList = () =>
    run(async () => {
      const res = await ok(
        api.GET("/api/v1/accounts/{account_id}/notifications", {
          params: { path, query: { includes: ["read", "snoozed"] } },
        }),
      );
      setItems(res.data.payload);
    });

  useEffect(() => void loadCount(), [account_id]);
  const openRef = useRef(open);
  openRef.current = open;
  useEffect(
    () =>
      live.onFrame((frame) => {
        if (frame.event === "replay.truncated") {
          loadCount();
          if (openRef.current) loadList();
          return;
        }
        if (!/^notification\.(created|updated|deleted)$/.test(frame.event)) return;
        // The frame's own count is as of its event (a replayed one is older): ask for the count now.
        loadCount();
        const n = frame.data?.notification as Notification | undefined;
        if (!n) return;
        setItems((list) => {
          if (!list) return list;
          if (frame.event === "notification.deleted") return list.filter((x) => x.id !== n.id);
          if (frame.event === "notification.created") return [n, ...list.filter((x) => x.id !== n.id)];
          return list.map((x) => (x.id === n.id ? n : x));
        });
      }) as () => void,
    [live],
  );

  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next) loadList();
  };
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const markRead = (n: Notification) =>
    run(async () => {
      const updated = await ok(
        api.PATCH("/api/v1/accounts/{account_id}/notifications/{id}", { params: { path: { account_id, id: n.id } } }),
      );
      setItems((list) => list?.map((x) => (x.id === n.id ? updated : x)) ?? list);
      await loadCount();
    });
  const readAll = () =>
    run(async () => {
      const { unread_count } = await ok(
        api.POST("/api/v1/accounts/{account_id}/notifications/read_all", { params: { path }, body: {} }),
      );
      asked.current++;
      setUnread(unread_count);
      const now = new Date().toISOString();
      setItems((list) => list?.map((x) => (x.read_at ? x : { ...x, read_at: now })) ?? list);
    });
  const openConversation = (n: Notification) => {
    setOpen(false);
    if (!n.read_at) void markRead(n);
    navigate(`${BASE}/conversations/${n.primary_actor_id}`);
  };

  const count = unread ?? 0;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape anywhere in the panel closes it
    <div class="notifications" onKeyDown={(e) => e.key === "Escape" && open && close()}>
      <button
        ref={button}
        type="button"
        class="bell"
        aria-expanded={open}
        aria-controls={PANEL}
        aria-label={`Notifications, ${count} unread`}
        onClick={toggle}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
          <path fill="currentColor" d={BELL} />
        </svg>
        {count > 0 && (
          <span class="bell-count" aria-hidden="true">
            {count > 99 ? "99+" : count}
          </span>
        )}
      </button>
      {open && (
        <section id={PANEL} class="notifications-panel" aria-labelledby="notifications-title">
          <div class="notifications-head">
            <h2 id="notifications-title">Notifications</h2>
            <button type="button" class="small" onClick={readAll} disabled={count === 0}>
              Mark all read
            </button>
            <button type="button" class="small" onClick={close}>
              Close
            </button>
          </div>
          <Alert>{error}</Alert>
          {items && items.length === 0 && <p class="empty">No notifications.</p>}
          <ul class="notification-list" aria-label="Notification list">
            {items?.map((n) => (
              <li key={n.id} class={n.read_at ? "read" : "unread"}>
                <a
                  href={`${BASE}/conversations/${n.primary_actor_id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    openConversation(n);
                  }}
                >
                  {!n.read_at && <span class="sr">Unread: </span>}
                  {n.push_message_title}
                </a>
                {n.push_message_body && <p class="excerpt">{n.push_message_body}</p>}
                <span class="row meta">
                  <time>{time(n.created_at)}</time>
                  {n.read_at ? (
                    <span>Read</span>
                  ) : (
                    <button
                      type="button"
                      class="small"
                      aria-label={`Mark read: ${n.push_message_title}`}
                      onClick={() => markRead(n)}
                    >
                      Mark read
                    </button>
                  )}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
