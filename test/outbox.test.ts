import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { countingD1 } from "../src/lib/d1-counter";
import { Outbox } from "../src/events/outbox";
import { createContact, createWorld } from "./helpers/factories";

/** An outbox observed as the request's is: its D1 wrapper shows it every batch's rows. */
function observedOutbox() {
  let outbox: Outbox | undefined;
  const db = drizzle(countingD1(env.DB, { roundTrips: 0, ms: 0 }, (results) => outbox?.observe(results)));
  outbox = new Outbox(db, "", true);
  return { db, outbox };
}

describe("outbox: what an observed batch committed is what is published", () => {
  it("publishes an event whose row came back, with the account read from it, and none that did not", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w);
    const { db, outbox } = observedOutbox();
    const account = sql`(select account_id from contacts where id = ${contact.id})`;
    const spec = { event: "contact_updated" as const, accountId: account, inboxId: null, contactId: contact.id };
    await db.batch([
      ...outbox.record(spec),
      // Its `when` does not hold: not inserted, so nothing to publish.
      ...outbox.record({ ...spec, when: sql`0` }),
    ] as [BatchItem<"sqlite">]);
    // A batch that fails commits nothing: its event is never published either.
    const failing: BatchItem<"sqlite">[] = [...outbox.record(spec), db.run(sql`select json('refused')`)];
    await db.batch(failing as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]).catch(() => undefined);
    const { events } = outbox.take();
    expect(events).toEqual([
      { uid: expect.stringMatching(/^evt_/), accountId: w.account.id, hub: false, webhooks: true },
    ]);
  });

  it("refuses an account subquery on an outbox nobody observes", () => {
    const outbox = new Outbox(drizzle(env.DB));
    expect(() =>
      outbox.record({ event: "contact_updated", accountId: sql`(select 1)`, inboxId: null, contactId: 1 }),
    ).toThrow(/observed outbox/);
  });
});

describe("migration 0014: contacts already there are indexed", () => {
  it("its backfill gives an existing contact its trigrams", async () => {
    const w = await createWorld();
    const { contact } = await createContact(w, { name: "Backfilled Person" });
    const grams = () =>
      env.DB.prepare("select count(*) as n from contact_grams where contact_id = ?")
        .bind(contact.id)
        .first<{ n: number }>();
    const indexed = (await grams())!.n;
    expect(indexed).toBeGreaterThan(0);
    // As if the contact had been written before the index existed.
    await env.DB.prepare("delete from contact_grams where contact_id = ?").bind(contact.id).run();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0014_"))!;
    const backfill = migration.queries.at(-1)!;
    expect(backfill).toMatch(/^-- The contacts already there\.|INSERT OR IGNORE INTO `contact_grams`/);
    await env.DB.prepare(backfill).run();
    expect((await grams())!.n).toBe(indexed);
  });
});
