import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { z } from "@hono/zod-openapi";
import { contactLabels, contacts, conversationLabels, conversations, labels, type LabelRow } from "../db/schema";
import { notInList } from "../db/select";
import { isUniqueViolation, notFound, unprocessable } from "../lib/errors";
import type { LabelCreateBody, LabelUpdateBody } from "../routes/labels/labels.schemas";
import type { ServiceContext } from "./context";

/*
 * An account's labels are definitions (title, colour, sidebar flag); conversations and contacts
 * carry label titles as strings, as Chatwoot's tagging does, and accept titles that are not
 * defined. Renaming or deleting a definition carries the change to every conversation and contact
 * of the account in the same batch, so no list or filter shows a title that no longer exists.
 * Those bulk changes emit no per-conversation events (Chatwoot's neither).
 */

export type LabelInput = z.output<typeof LabelUpdateBody>;

const inAccount = (accountId: number, id: number) => and(eq(labels.accountId, accountId), eq(labels.id, id))!;

const titleTaken = () =>
  unprocessable("Title has already been taken", [{ field: "title", message: "has already been taken" }]);

type Batch = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

function columns(input: LabelInput) {
  return {
    // Chatwoot lower-cases titles, so uniqueness per account ignores case.
    title: input.title?.toLowerCase(),
    description: input.description,
    color: input.color?.toLowerCase(),
    showOnSidebar: input.show_on_sidebar,
  };
}

/** The account's label definitions, by id (as Chatwoot lists them). */
export function listLabels({ db, accountId }: ServiceContext): Promise<LabelRow[]> {
  return db.select().from(labels).where(eq(labels.accountId, accountId)).orderBy(asc(labels.id));
}

export async function showLabel({ db, accountId }: ServiceContext, id: number): Promise<LabelRow> {
  const [row] = await db.select().from(labels).where(inAccount(accountId, id));
  if (!row) throw notFound("Label");
  return row;
}

/** Creates a label; the (lower-cased) title is unique per account (422 otherwise). */
export async function createLabel(
  { db, accountId }: ServiceContext,
  input: z.output<typeof LabelCreateBody>,
): Promise<LabelRow> {
  try {
    const [row] = await db
      .insert(labels)
      .values({ ...columns(input), title: input.title.toLowerCase(), accountId })
      .returning();
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw titleTaken();
    throw err;
  }
}

/** The label's current title, read inside each statement so a whole change is one batch. */
export const titleOf = (accountId: number, id: number): SQL =>
  sql`(select ${labels.title} from ${labels} where ${labels.accountId} = ${accountId} and ${labels.id} = ${id})`;

/**
 * The account's conversations carrying `title`: found by the (account_id, label) index and reached
 * by id. The unary `+` keeps account_id out of index use, or SQLite would rather walk all the
 * account's conversations and test each against the list.
 */
const conversationsWith = (accountId: number, title: SQL) =>
  and(
    sql`+${conversations.accountId} = ${accountId}`,
    sql`${conversations.id} in (select ${conversationLabels.conversationId} from ${conversationLabels}
      where ${conversationLabels.accountId} = ${accountId} and ${conversationLabels.label} = ${title})`,
  );

/**
 * Statements that rename `old` to `next` wherever the account uses it: the cached label list of
 * each conversation (a title it already had is not repeated), conversation_labels and
 * contact_labels. Set-based: a fixed handful of bound values whatever the number of rows.
 */
export function renameStatements(ctx: ServiceContext, old: SQL, next: string, at: number): BatchItem<"sqlite">[] {
  const { db, accountId } = ctx;
  const changed = sql`${next} <> ${old}`;
  return [
    db
      .update(conversations)
      .set({
        labels: sql`(select json_group_array(distinct case when j.value = ${old} then ${next} else j.value end)
          from json_each(${conversations.labels}) j)`,
        updatedAt: at,
      })
      .where(and(changed, conversationsWith(accountId, old))),
    db
      .insert(conversationLabels)
      .select(
        sql`select ${conversationLabels.conversationId}, ${conversationLabels.accountId}, ${next}
          from ${conversationLabels} where ${conversationLabels.accountId} = ${accountId}
          and ${conversationLabels.label} = ${old} and ${changed}`,
      )
      .onConflictDoNothing(),
    db
      .delete(conversationLabels)
      .where(and(eq(conversationLabels.accountId, accountId), sql`${conversationLabels.label} = ${old}`, changed)),
    db
      .insert(contactLabels)
      .select(
        sql`select ${contactLabels.contactId}, ${contactLabels.accountId}, ${next}
          from ${contactLabels} where ${contactLabels.accountId} = ${accountId}
          and ${contactLabels.label} = ${old} and ${changed}`,
      )
      .onConflictDoNothing(),
    db
      .delete(contactLabels)
      .where(and(eq(contactLabels.accountId, accountId), sql`${contactLabels.label} = ${old}`, changed)),
  ];
}

/**
 * Changes the fields sent. A new title renames the label on every conversation and contact of the
 * account in the same batch (one round trip); a title already taken answers 422 and changes nothing.
 */
export async function updateLabel(ctx: ServiceContext, id: number, input: LabelInput): Promise<LabelRow> {
  const { db, accountId } = ctx;
  const at = Date.now();
  const values = { ...columns(input), updatedAt: at };
  const title = values.title;
  try {
    // The label's own update comes last: the renames read its current title.
    const statements: BatchItem<"sqlite">[] = [
      ...(title ? renameStatements(ctx, titleOf(accountId, id), title, at) : []),
      db.update(labels).set(values).where(inAccount(accountId, id)).returning(),
    ];
    const results = await db.batch(statements as Batch);
    const [row] = results[results.length - 1] as LabelRow[];
    if (!row) throw notFound("Label");
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw titleTaken();
    throw err;
  }
}

/**
 * Deletes the label and, in the same batch, takes its title off every conversation (cached list
 * and index) and contact of the account.
 */
export async function deleteLabel(ctx: ServiceContext, id: number) {
  const results = await ctx.db.batch(deleteStatements(ctx, id));
  if (!results[3][0]) throw notFound("Label");
}

/** The delete's batch: the title off conversations and contacts, then the label itself (last). */
export function deleteStatements(ctx: ServiceContext, id: number) {
  const { db, accountId } = ctx;
  const title = titleOf(accountId, id);
  return [
    db
      .update(conversations)
      .set({
        labels: sql`(select json_group_array(j.value) from json_each(${conversations.labels}) j
          where j.value <> ${title})`,
        updatedAt: Date.now(),
      })
      .where(conversationsWith(accountId, title)),
    db
      .delete(conversationLabels)
      .where(and(eq(conversationLabels.accountId, accountId), sql`${conversationLabels.label} = ${title}`)),
    db.delete(contactLabels).where(and(eq(contactLabels.accountId, accountId), sql`${contactLabels.label} = ${title}`)),
    db.delete(labels).where(inAccount(accountId, id)).returning({ id: labels.id }),
  ] as const;
}

const contactIn = (accountId: number, id: number) => and(eq(contacts.accountId, accountId), eq(contacts.id, id))!;

/** A contact's labels in the order they were added. */
const labelsOf = ({ db, accountId }: ServiceContext, contactId: number) =>
  db
    .select({ label: contactLabels.label })
    .from(contactLabels)
    .where(and(eq(contactLabels.accountId, accountId), eq(contactLabels.contactId, contactId)))
    .orderBy(sql`${contactLabels}.rowid`);

/** The contact's labels (404 for a contact not in the account): one round trip. */
export async function contactLabelList(ctx: ServiceContext, contactId: number): Promise<string[]> {
  const { db, accountId } = ctx;
  const [found, rows] = await db.batch([
    db.select({ id: contacts.id }).from(contacts).where(contactIn(accountId, contactId)),
    labelsOf(ctx, contactId),
  ]);
  if (!found[0]) throw notFound("Contact");
  return rows.map((r) => r.label);
}

/**
 * Makes the contact's labels exactly `titles` (Chatwoot's POST replaces the set), kept ones in
 * their place and new ones after them in the order sent. One batch: a contact not in the account
 * matches none of its statements and answers 404.
 */
export async function setContactLabels(ctx: ServiceContext, contactId: number, titles: string[]): Promise<string[]> {
  const { db, accountId } = ctx;
  const next = [...new Set(titles.map((t) => t.trim()).filter(Boolean))];
  const [, , found, rows] = await db.batch([
    db
      .delete(contactLabels)
      .where(
        and(
          eq(contactLabels.accountId, accountId),
          eq(contactLabels.contactId, contactId),
          notInList(contactLabels.label, next),
        ),
      ),
    // The list is one JSON parameter: 50 labels × 3 columns would pass D1's 100 bound values.
    db
      .insert(contactLabels)
      .select(
        sql`select ${contacts.id}, ${contacts.accountId}, j.value from ${contacts}, json_each(${JSON.stringify(next)}) j
          where ${contacts.accountId} = ${accountId} and ${contacts.id} = ${contactId} order by j.key`,
      )
      .onConflictDoNothing(),
    db.select({ id: contacts.id }).from(contacts).where(contactIn(accountId, contactId)),
    labelsOf(ctx, contactId),
  ]);
  if (!found[0]) throw notFound("Contact");
  return rows.map((r) => r.label);
}
