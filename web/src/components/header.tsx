import { useEffect, useState } from "preact/hooks";
import { api, ok } from "../api";
import type { LiveStatus } from "../live";
import { BASE } from "../router";
import { signOut, toMe, useSession, type Availability } from "../session";
import { NotificationsBell } from "./notifications";
import { errorText } from "./ui";

const LIVE_TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

export function Header({ onSignedOut }: { onSignedOut: () => void }) {
  const { me, live, setMe } = useSession();
  const [status, setStatus] = useState<LiveStatus>(live.status);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setStatus(live.status);
    const off = live.onStatus(setStatus);
    return () => void off();
  }, [live]);
  // The server changes availability too (auto_offline while no socket is open, then back):
  // presence.update says what it is now.
  useEffect(
    () =>
      live.onFrame((frame) => {
        const now =
          frame.event === "presence.update" &&
          frame.data?.account_id === me.accountId &&
          frame.data.users?.[String(me.id)];
        if ((now === "online" || now === "busy" || now === "offline") && now !== me.availability)
          setMe({ ...me, availability: now });
      }) as () => void,
    [live, me],
  );

  const setAvailability = async (availability: Availability) => {
    setError(null);
    try {
      const profile = await ok(
        api.POST("/api/v1/profile/availability", { body: { account_id: me.accountId, availability } }),
      );
      setMe({ ...toMe({ ...profile, account_id: me.accountId }), pubsubToken: me.pubsubToken });
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <header class="top">
      <a class="brand" href={`${BASE}/`}>
        Konversio
      </a>
      <nav aria-label="Main">
        <a href={`${BASE}/`}>Conversations</a>
        {me.isAdmin && <a href={`${BASE}/reports/csat`}>Reports</a>}
        {me.isAdmin ? (
          <a href={`${BASE}/settings/inboxes`}>Settings</a>
        ) : (
          <a href={`${BASE}/settings/canned-responses`}>Canned responses</a>
        )}
      </nav>
      <span class={`live live-${status}`} role="status" aria-label={`Realtime: ${LIVE_TEXT[status]}`}>
        <span aria-hidden="true" class="dot" /> {LIVE_TEXT[status]}
      </span>
      <label class="availability">
        <span>Availability</span>
        <select
          value={me.availability}
          onChange={(e) => setAvailability((e.target as HTMLSelectElement).value as Availability)}
        >
          <option value="online">Online</option>
          <option value="busy">Busy</option>
          <option value="offline">Offline</option>
        </select>
      </label>
      {error && (
        <span class="alert" role="alert">
          {error}
        </span>
      )}
      <span class="who" title={me.email}>
        {me.name} · {me.accountName}
      </span>
      <NotificationsBell />
      <button
        type="button"
        class="link"
        onClick={async () => {
          await signOut().catch(() => {});
          onSignedOut();
        }}
      >
        Sign out
      </button>
    </header>
  );
}
