import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Header } from "./components/header";
import { Live } from "./live";
import { AgentBots } from "./pages/agent-bots";
import { Agents } from "./pages/agents";
import { CannedResponses } from "./pages/canned-responses";
import { Conversations } from "./pages/conversations";
import { InboxNew } from "./pages/inbox-new";
import { InboxSettings } from "./pages/inbox-settings";
import { Inboxes } from "./pages/inboxes";
import { Labels } from "./pages/labels";
import { CsatReport } from "./pages/reports-csat";
import { SetPassword } from "./pages/set-password";
import { SignIn } from "./pages/sign-in";
import { Teams } from "./pages/teams";
import { Webhooks } from "./pages/webhooks";
import { BASE, navigate, usePath } from "./router";
import { loadSession, SessionContext, type Me } from "./session";

export function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    loadSession().then(setMe);
  }, []);

  const pathname = path.split("?")[0].replace(/\/+$/, "") || BASE;
  if (pathname === `${BASE}/set-password`) return <SetPassword />;
  if (me === undefined)
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  if (me === null) return <SignIn onSignedIn={setMe} />;
  return <SignedIn me={me} setMe={setMe} pathname={pathname} />;
}

function SignedIn({ me, setMe, pathname }: { me: Me; setMe: (me: Me | null) => void; pathname: string }) {
  const live = useMemo(
    () => new Live({ pubsubToken: me.pubsubToken, accountId: me.accountId, userId: me.id }),
    [me.pubsubToken, me.accountId],
  );
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);

  const rel = pathname.slice(BASE.length) || "/";
  const settings = rel.startsWith("/settings");
  const inboxId = rel.match(/^\/settings\/inboxes\/(\d+)$/)?.[1];
  const conversationId = rel.match(/^\/conversations\/(\d+)$/)?.[1];
  // Canned responses are every agent's to manage; the rest of Settings is the administrators'.
  const agentSettings = rel === "/settings/canned-responses";
  let page: JSX.Element;
  if (settings && !me.isAdmin && !agentSettings) page = <NotAllowed />;
  else if (rel === "/settings" || rel === "/settings/inboxes") page = <Inboxes />;
  else if (rel === "/settings/inboxes/new") page = <InboxNew />;
  else if (inboxId) page = <InboxSettings id={Number(inboxId)} />;
  else if (rel === "/settings/integrations" || rel === "/settings/integrations/webhooks") page = <Webhooks />;
  else if (rel === "/settings/agents") page = <Agents />;
  else if (rel === "/settings/teams") page = <Teams />;
  else if (rel === "/settings/bots") page = <AgentBots />;
  else if (rel === "/settings/labels") page = <Labels />;
  else if (agentSettings) page = <CannedResponses />;
  // Reports are the administrators' (as in Chatwoot); CSAT is the one report so far.
  else if (rel === "/reports" || rel === "/reports/csat") page = me.isAdmin ? <CsatReport /> : <NotAllowed />;
  else if (conversationId) page = <Conversations selected={Number(conversationId)} />;
  else if (rel === "/" || rel === "/conversations") page = <Conversations selected={null} />;
  else page = <NotFound />;

  return (
    <SessionContext.Provider value={{ me, live, setMe }}>
      <Header onSignedOut={() => setMe(null)} />
      {settings && agentSettings && !me.isAdmin ? (
        // An agent's only settings page, linked from the header: no Settings navigation.
        <main class="settings-main">{page}</main>
      ) : settings && me.isAdmin ? (
        <div class="settings">
          <nav class="settings-nav" aria-label="Settings">
            <h2>Settings</h2>
            <ul>
              <SettingsLink
                href={`${BASE}/settings/inboxes`}
                current={rel.startsWith("/settings/inboxes") || rel === "/settings"}
              >
                Inboxes
              </SettingsLink>
              <SettingsLink
                href={`${BASE}/settings/integrations/webhooks`}
                current={rel.startsWith("/settings/integrations")}
              >
                Integrations → Webhooks
              </SettingsLink>
              <SettingsLink href={`${BASE}/settings/agents`} current={rel === "/settings/agents"}>
                Agents
              </SettingsLink>
              <SettingsLink href={`${BASE}/settings/teams`} current={rel === "/settings/teams"}>
                Teams
              </SettingsLink>
              <SettingsLink href={`${BASE}/settings/bots`} current={rel === "/settings/bots"}>
                Bots
              </SettingsLink>
              <SettingsLink href={`${BASE}/settings/labels`} current={rel === "/settings/labels"}>
                Labels
              </SettingsLink>
              <SettingsLink href={`${BASE}/settings/canned-responses`} current={agentSettings}>
                Canned responses
              </SettingsLink>
            </ul>
          </nav>
          <main class="settings-main">{page}</main>
        </div>
      ) : (
        <main class="main">{page}</main>
      )}
    </SessionContext.Provider>
  );
}

function SettingsLink({ href, current, children }: { href: string; current: boolean; children: string }) {
  return (
    <li>
      <a href={href} aria-current={current ? "page" : undefined}>
        {children}
      </a>
    </li>
  );
}

function NotFound() {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        <a href={`${BASE}/`}>Back to conversations</a>
      </p>
    </section>
  );
}

function NotAllowed() {
  useEffect(() => navigate(`${BASE}/`, true), []);
  return null;
}
