import { sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { deliveries, events } from "../db/schema";
import { secureToken } from "../lib/crypto";
import { prunedThrough } from "../db/horizon";
import { BOT_EVENTS, type EventName, hasWebhooks, INBOX_EVENTS } from "./registry";
import type { DB } from "../db/client";

type Ref = number | SQL;

export type EventSpec = {
  event: EventName;
  /**
   * The account, or a subquery when the batch finds it (the client API's one-round-trip write);
   * a subquery only on an observed outbox, which reads the account back from the inserted row.
   */
  accountId: Ref;
  /** The inbox the event belongs to; null for contact events (no inbox-scoped target gets them). */
  inboxId: Ref | null;
  conversationId?: Ref;
  messageId?: Ref;
  contactId?: Ref;
  /** Rendered into the payload later: `changed_attributes`, the typing user, … */
  data?: Record<string, unknown>;
  /** A private note: an inbox's webhook_url gets it only with `webhook_include_private`. */
  private?: boolean;
  /**
   * Only these targets (e.g. a resend to the inbox alone); default: every subscribed target, the
   * inbox's agent bot included.
   */
  only?: "inbox" | "account";
  /** Record the event only if this holds when the batch runs (e.g. "routing assigned someone"). */
  when?: SQL;
  /** JSON computed in SQL, merged over `data` (values only known inside the batch). */
  dataSql?: SQL;
  /**
   * The agent a personal event (a notification) is for: it is theirs alone on realtime sockets
   * (`data.recipient_id`), ordered in their own stream (`user:<id>`), and never a webhook.
   */
  recipient?: number;
};

const ref = (r: Ref | undefined) => (r === undefined ? sql`null` : sql`${r}`);

/** `<kind>:<id>`; a known id is formatted here (D1 binds JS numbers as REAL: "5.0"), a subquery's is cast. */
function streamKey(kind: string, id: Ref): SQL {
  return typeof id === "number" ? sql`${`${kind}:${id}`}` : sql`${`${kind}:`} || cast(${id} as integer)`;
}

function streamOf(spec: EventSpec): SQL {
  // Not the conversation's: a webhook receiver must see no gap in a conversation's sequence.
  if (spec.recipient !== undefined) return streamKey("user", spec.recipient);
  if (spec.conversationId !== undefined) return streamKey("conversation", spec.conversationId);
  if (spec.contactId !== undefined) return streamKey("contact", spec.contactId);
  return streamKey("inbox", spec.inboxId ?? 0);
}

/** The column the event insert returns: whether the event's account had open sockets as the batch ran. */
const SOCKETS_OPEN = "outbox_sockets_open";

/** An event recorded; `committed` once an observed batch returned its row. */
type Recorded = {
  uid: string;
  accountId: number | null;
  webhooks: boolean;
  committed?: { accountId: number; hub: boolean };
};

/**
 * A committed event for `publishCommitted`: `hub` unless its account is known to have had no open
 * socket; `webhooks` unless it is a personal event (no delivery, so no queue job).
 */
export type Committed = { uid: string; accountId: number; hub: boolean; webhooks: boolean };

/**
 * Collects the events a request (or a queue job) records. `record` returns the statements
 * to put in the same `db.batch` as the change, so the change and its events commit together;
 * `publishCommitted` (events/publish.ts) then enqueues them and publishes them to realtime
 * sockets. If the enqueue is lost, the sweeper finds the pending deliveries; if a publish is
 * lost, clients replay from D1.
 */
export class Outbox {
  private recorded: Recorded[] = [];
  private presence = new Set<number>();

  /**
   * `origin` is the public base URL, for attachment links in payloads rendered later. An
   * `observed` outbox is shown every batch's results (`observe`, the request's D1 wrapper does
   * it) and publishes exactly the events whose rows came back: the ones committed, whatever their
   * `when`, with their account and whether it had a socket open. An outbox that is not observed
   * (the hub's, the consumer's) publishes everything it recorded.
   */
  constructor(
    private readonly db: DB,
    private readonly origin = "",
    private readonly observed = false,
  ) {}

  /** Whether anything waits for `publishCommitted`. */
  get pending() {
    return this.recorded.length + this.presence.size;
  }

  record(spec: EventSpec): BatchItem<"sqlite">[] {
    return this.recordEvent(spec).statements;
  }

  /** `record`, with the event's uid: a later statement of the batch can test whether it was recorded (`when`). */
  recordEvent(spec: EventSpec): { uid: string; statements: BatchItem<"sqlite">[] } {
    const uid = `evt_${secureToken(24)}`;
    if (typeof spec.accountId !== "number" && !this.observed)
      throw new Error("an event's account may be a subquery only on an observed outbox");
    const webhooks = hasWebhooks(spec.event) && spec.recipient === undefined;
    this.recorded.push({ uid, accountId: typeof spec.accountId === "number" ? spec.accountId : null, webhooks });
    const now = Date.now();
    const stream = streamOf(spec);
    const data = JSON.stringify({
      ...spec.data,
      ...(spec.recipient !== undefined ? { recipient_id: spec.recipient } : {}),
      ...(this.origin ? { origin: this.origin } : {}),
    });
    // Every events column in table order (drizzle's insert-select lists them all). Batches run
    // one at a time, so max + 1 is a gap-free, increasing sequence per stream. A stream with no
    // event left may have had its events deleted by retention (an id prefix): it goes on after the
    // highest id deleted, which is above any sequence it had (an event's sequence never exceeds
    // its id), so receivers never see it go back. Nothing deleted: it starts at 1.
    const insertEvent = this.db
      .insert(events)
      .select(sql`select null, ${uid}, ${spec.accountId}, ${ref(spec.inboxId ?? undefined)},
      ${ref(spec.conversationId)}, ${ref(spec.messageId)}, ${ref(spec.contactId)}, ${spec.event}, ${stream},
      (select coalesce(max(${events.sequence}), ${prunedThrough("events")}) + 1 from ${events}
        where ${events.stream} = ${stream}),
      ${spec.dataSql ? sql`json_patch(${data}, ${spec.dataSql})` : sql`${data}`}, null, ${now}
      where ${spec.when ?? sql`1`}`)
      // Read in the same transaction as the insert: a hub sets the flag before it accepts a socket.
      .returning({
        uid: events.uid,
        accountId: events.accountId,
        socketsOpen: sql`(select sockets_open from accounts where id = ${events.accountId})`.as(SOCKETS_OPEN),
      });
    const statements: BatchItem<"sqlite">[] = [insertEvent];
    if (!webhooks) return { uid, statements };
    // The event's deliveries, one statement for every target: read from the event row just
    // inserted (none if it was not). Every deliveries column, in table order.
    // `target` is (webhook_id, inbox_id); agent_bot_id, the last column, comes after the timestamps.
    const row = (target: SQL, bot: SQL = sql`null`) => sql`select null, 'msg_' || lower(hex(randomblob(12))),
      e.account_id, e.id, ${target}, 'pending', 0, null, null, null, null, ${now}, null, null, ${now}, ${now}, ${bot}`;
    const targets: SQL[] = [];
    if (spec.only !== "inbox")
      targets.push(sql`${row(sql`w.id, null`)}
        from events e join webhooks w on w.account_id = e.account_id
        where e.uid = ${uid} and w.disabled = 0 and (w.inbox_id is null or w.inbox_id = e.inbox_id)
          and exists (select 1 from json_each(w.subscriptions) where value = e.event)`);
    if (spec.only !== "account" && spec.inboxId !== null && INBOX_EVENTS.includes(spec.event))
      targets.push(sql`${row(sql`null, i.id`)}
        from events e join inboxes i on i.id = e.inbox_id
        where e.uid = ${uid} and i.webhook_url is not null and i.webhook_disabled = 0
          and (i.webhook_subscriptions is null
            or exists (select 1 from json_each(i.webhook_subscriptions) where value = e.event))
          and (${spec.private ? 1 : 0} = 0 or i.webhook_include_private = 1)`);
    // The agent bot attached to the inbox, at its outgoing_url (never a private note, never a resend
    // to one kind of target).
    if (!spec.only && !spec.private && spec.inboxId !== null && BOT_EVENTS.includes(spec.event))
      targets.push(sql`${row(sql`null, null`, sql`b.id`)}
        from events e join inboxes i on i.id = e.inbox_id join agent_bots b on b.id = i.agent_bot_id
        where e.uid = ${uid} and b.outgoing_url is not null`);
    if (targets.length) statements.push(this.db.insert(deliveries).select(sql.join(targets, sql` union all `)));
    return { uid, statements };
  }

  /**
   * Reads a batch's results as D1 returned them (the request's D1 wrapper hands every batch
   * here): each event insert that ran returns its row, with its account and whether that account
   * had an open socket. A batch that failed returns nothing, so its events are never published.
   */
  observe(results: readonly D1Result[]) {
    for (const r of results) {
      const rows = r.results as Record<string, unknown>[] | undefined;
      if (!rows?.length || !(SOCKETS_OPEN in rows[0])) continue;
      for (const row of rows) {
        const recorded = this.recorded.find((e) => e.uid === row.uid);
        if (recorded) recorded.committed = { accountId: Number(row.account_id), hub: row[SOCKETS_OPEN] === 1 };
      }
    }
  }

  /** An agent's availability changed in this account: its sockets hear a fresh `presence.update`. */
  presenceChanged(accountId: number) {
    this.presence.add(accountId);
  }

  /** The committed events: those whose rows came back, or (not observed) everything recorded. */
  private committed(): Committed[] {
    if (this.observed)
      return this.recorded.flatMap((r) => (r.committed ? [{ uid: r.uid, webhooks: r.webhooks, ...r.committed }] : []));
    return this.recorded.map((r) => ({ uid: r.uid, accountId: r.accountId!, hub: true, webhooks: r.webhooks }));
  }

  /** How many realtime hubs `publishCommitted` will call: accounts with an event for the hub, and presence updates. */
  get hubCalls(): number {
    const accounts = new Set(
      this.committed()
        .filter((e) => e.hub)
        .map((e) => e.accountId),
    );
    return accounts.size + this.presence.size;
  }

  /** What was committed since the last call, for `publishCommitted`; the outbox is empty after it. */
  take(): { events: Committed[]; presence: number[] } {
    const events = this.committed();
    this.recorded = [];
    const taken = { events, presence: [...this.presence] };
    this.presence.clear();
    return taken;
  }
}
