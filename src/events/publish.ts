import { faultRate } from "../lib/faults";
import type { Outbox } from "./outbox";
import { sendInChunks } from "./queue";

export type PublishEnv = Pick<Env, "WEBHOOK_QUEUE" | "CABLE" | "FAULT_DROP_ENQUEUE_RATE">;
type Hubs = Env["CABLE"];

/** The account's realtime hub: one Durable Object per account, so its sockets and events meet in one place. */
export const hubFor = (hubs: Hubs, accountId: number) => hubs.get(hubs.idFromName(`account:${accountId}`));

/** How committed events reach an account's sockets; a hub passes its own method (it does not call itself). */
export type HubPublish = (accountId: number, uids: string[]) => Promise<void>;

const logged = (event: string, fields: Record<string, unknown>) => (err: unknown) => {
  console.error(JSON.stringify({ event, ...fields, error: String(err) }));
};

/**
 * Sends what the outbox recorded once the batch holding it committed: a first-attempt queue job
 * per event (the webhook deliveries), the events to each account's realtime hub (only if the
 * account had an open socket then: no Durable Object call otherwise), and presence updates,
 * side by side. Failures are logged, never thrown: the events are in D1 already, the
 * sweeper re-enqueues lost jobs and sockets replay lost frames. `FAULT_DROP_ENQUEUE_RATE`
 * (soak/test only; unset in production) silently skips that fraction of the jobs, as if they
 * were lost between the commit and the enqueue: the sweeper must find them.
 */
export async function publishCommitted(env: PublishEnv, outbox: Outbox, hub?: HubPublish): Promise<void> {
  const { events, presence } = outbox.take();
  if (events.length === 0 && presence.length === 0) return;
  const publish: HubPublish = hub ?? ((accountId, uids) => hubFor(env.CABLE, accountId).publish(uids, accountId));
  const dropRate = faultRate(env.FAULT_DROP_ENQUEUE_RATE);
  // A personal event (a notification) has no delivery: no queue job for it.
  const uids = events.filter((e) => e.webhooks).map((e) => e.uid);
  const enqueued = dropRate > 0 ? uids.filter(() => Math.random() >= dropRate) : uids;
  if (enqueued.length < uids.length) {
    const dropped = uids.length - enqueued.length;
    console.warn(JSON.stringify({ event: "fault_injected", fault: "drop_enqueue", dropped }));
  }
  const byAccount = new Map<number, string[]>();
  // An account whose sockets were all closed when the event committed has no hub to tell.
  for (const e of events.filter((e) => e.hub)) {
    const list = byAccount.get(e.accountId);
    if (list) list.push(e.uid);
    else byAccount.set(e.accountId, [e.uid]);
  }
  await Promise.all([
    enqueued.length > 0
      ? sendInChunks(
          env.WEBHOOK_QUEUE,
          enqueued.map((eventUid) => ({ body: { eventUid } })),
        ).catch(logged("webhook_enqueue_failed", { events: enqueued }))
      : undefined,
    ...[...byAccount].map(([accountId, accountUids]) =>
      Promise.resolve()
        .then(() => publish(accountId, accountUids))
        .catch(logged("realtime_publish_failed", { account_id: accountId, events: accountUids })),
    ),
    ...presence.map((accountId) =>
      Promise.resolve()
        .then(() => hubFor(env.CABLE, accountId).presenceChanged())
        .catch(logged("realtime_presence_failed", { account_id: accountId })),
    ),
  ]);
}
