import { and, desc, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { z } from "@hono/zod-openapi";
import { CONVERSATION_STATUSES, contacts, conversationLabels, conversations, PRIORITIES } from "../../db/schema";
import { inList } from "../../db/select";
import { type ErrorDetail, unprocessable } from "../../lib/errors";
import { viewerOf } from "../auth";
import { conversationViews, conversationsVisibleTo, toView } from "../../views/conversations";
import { contactIdsContaining } from "../search-index";
import type { AgentContext } from "../context";
import {
  type ConversationFilterBody,
  FILTER_OPERATORS,
  type FilterAttribute,
} from "../../routes/conversations/filter.schemas";
import { CONVERSATIONS_PER_PAGE } from "./list";

type Operator = (typeof FILTER_OPERATORS)[number];

type Condition = z.output<typeof ConversationFilterBody>["payload"][number];
type Value = Condition["values"][number];

/** How one kind of attribute reads its values and turns an operator into SQL. */
type Kind = {
  operators: readonly Operator[];
  build: (op: Operator, values: Value[], ctx: AgentContext) => SQL;
};

class BadValue extends Error {}

const DAY_MS = 86_400_000;

const ids = (values: Value[]) =>
  values.map((v) => {
    const raw = typeof v === "object" && v !== null && "id" in v ? v.id : v;
    const n =
      typeof raw === "number" ? raw : typeof raw === "string" && /^\d{1,15}$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw new BadValue();
    return n;
  });

const texts = (values: Value[]) =>
  values.map((v) => {
    const raw = typeof v === "object" && v !== null && "id" in v ? v.id : v;
    if (typeof raw === "boolean") throw new BadValue();
    const text = String(raw).trim();
    if (!text) throw new BadValue();
    return text;
  });

const oneOf = (allowed: readonly string[]) => (values: Value[]) => {
  const list = texts(values).map((t) => t.toLowerCase());
  if (list.some((t) => !allowed.includes(t))) throw new BadValue();
  return list;
};

const nonEmpty = <T>(list: T[]) => {
  if (list.length === 0) throw new BadValue();
  return list;
};

/** A date: `YYYY-MM-DD` (midnight UTC), an ISO 8601 time, or unix seconds; as milliseconds. */
function dateOf(values: Value[]): number {
  const v = values[0];
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v === "string" && /^\d{1,12}$/.test(v.trim())) return Number(v) * 1000;
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.trim())) {
    const t = Date.parse(v.trim());
    if (!Number.isNaN(t)) return t;
  }
  throw new BadValue();
}

/** `days_before N`: earlier than midnight UTC N days ago (Chatwoot: before today − N days). */
function daysBefore(values: Value[]): number {
  const [n] = ids(nonEmpty(values.slice(0, 1)));
  if (n > 36_500) throw new BadValue();
  const today = new Date();
  return Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - n * DAY_MS;
}

/** `column = v` for one value (an index can serve it), `column in (…)` for several. */
const isIn = (column: SQL | SQLiteColumn, list: (string | number)[]) =>
  list.length === 1 ? sql`${column} = ${list[0]}` : inList(column, list);

/** Equality over a column that may be null: `not_equal_to` keeps the rows without a value. */
function equality(column: SQL | SQLiteColumn, op: Operator, list: (string | number)[], nullable: boolean): SQL {
  if (op === "equal_to") return isIn(column, list);
  return nullable ? sql`(${column} is null or not ${isIn(column, list)})` : sql`not ${isIn(column, list)}`;
}

const presence = (column: SQL | SQLiteColumn, op: Operator) =>
  op === "is_present" ? sql`${column} is not null` : sql`${column} is null`;

/** An id column: equal_to / not_equal_to a list, is_present / is_not_present. */
const idKind = (column: SQLiteColumn, nullable: boolean): Kind => ({
  operators: ["equal_to", "not_equal_to", "is_present", "is_not_present"],
  build: (op, values) =>
    op === "is_present" || op === "is_not_present"
      ? presence(column, op)
      : equality(column, op, nonEmpty(ids(values)), nullable),
});

const dateKind = (column: SQLiteColumn): Kind => ({
  operators: ["is_greater_than", "is_less_than", "days_before"],
  build: (op, values) =>
    op === "is_greater_than"
      ? sql`${column} > ${dateOf(values)}`
      : sql`${column} < ${op === "days_before" ? daysBefore(values) : dateOf(values)}`,
});

/** Any of the texts contained, ignoring case (`contains`), or none of them (`does_not_contain`). */
function containsAny(column: SQL, op: Operator, list: string[]) {
  const any = sql.join(
    list.map((t) => sql`instr(lower(${column}), lower(${t})) > 0`),
    sql` or `,
  );
  return op === "contains" ? sql`(${any})` : sql`(${column} is null or not (${any}))`;
}

/** An `additional_attributes` key, compared as text (Chatwoot's browser_language, referer, …). */
const additionalKind = (key: string, operators: readonly Operator[]): Kind => ({
  operators,
  build: (op, values) => {
    const column = sql`json_extract(${conversations.additionalAttributes}, ${`$.${key}`})`;
    const list = nonEmpty(texts(values));
    return op === "contains" || op === "does_not_contain"
      ? containsAny(column, op, list)
      : equality(column, op, list, true);
  },
});

/** The contact's name or e-mail, ignoring case; `contains` reads the contacts' trigram index. */
const contactKind = (column: typeof contacts.name | typeof contacts.email): Kind => ({
  operators: ["equal_to", "not_equal_to", "contains", "does_not_contain"],
  build: (op, values, ctx) => {
    const list = nonEmpty(texts(values));
    const matching =
      op === "contains" || op === "does_not_contain"
        ? sql.join(
            list.map((t) => sql`select * from (${contactIdsContaining(ctx.accountId, t, [column])})`),
            sql` union `,
          )
        : sql`select ${contacts.id} from ${contacts} where ${contacts.accountId} = ${ctx.accountId}
            and ${inList(
              sql`lower(${column})`,
              list.map((t) => t.toLowerCase()),
            )}`;
    const found = sql`${conversations.contactId} in (${matching})`;
    return op === "equal_to" || op === "contains" ? found : sql`not ${found}`;
  },
});

const LABELS = sql`select 1 from ${conversationLabels}
  where ${conversationLabels.conversationId} = ${conversations.id}`;

/** Chatwoot's conversation filter attributes (lib/filters/filter_keys.yml), and two of the contact's. */
const STANDARD: Record<FilterAttribute, Kind> = {
  status: {
    operators: ["equal_to", "not_equal_to"],
    build: (op, values) => {
      const list = nonEmpty(oneOf([...CONVERSATION_STATUSES, "all"])(values));
      if (list.includes("all")) return op === "equal_to" ? sql`1` : sql`0`;
      return equality(conversations.status, op, list, false);
    },
  },
  assignee_id: idKind(conversations.assigneeId, true),
  inbox_id: idKind(conversations.inboxId, false),
  team_id: idKind(conversations.teamId, true),
  priority: {
    operators: ["equal_to", "not_equal_to", "is_present", "is_not_present"],
    build: (op, values) =>
      op === "is_present" || op === "is_not_present"
        ? presence(conversations.priority, op)
        : equality(conversations.priority, op, nonEmpty(oneOf(PRIORITIES)(values)), true),
  },
  display_id: {
    operators: ["equal_to", "not_equal_to", "contains", "does_not_contain"],
    build: (op, values) => {
      const list = nonEmpty(ids(values));
      if (op === "equal_to" || op === "not_equal_to") return equality(conversations.displayId, op, list, false);
      return containsAny(sql`cast(${conversations.displayId} as text)`, op, list.map(String));
    },
  },
  labels: {
    operators: ["equal_to", "not_equal_to", "is_present", "is_not_present"],
    build: (op, values) => {
      if (op === "is_present") return sql`exists (${LABELS})`;
      if (op === "is_not_present") return sql`not exists (${LABELS})`;
      const any = sql`exists (${LABELS} and ${inList(conversationLabels.label, nonEmpty(texts(values)))})`;
      return op === "equal_to" ? any : sql`not ${any}`;
    },
  },
  created_at: dateKind(conversations.createdAt),
  last_activity_at: dateKind(conversations.lastActivityAt),
  browser_language: additionalKind("browser_language", ["equal_to", "not_equal_to"]),
  conversation_language: additionalKind("conversation_language", ["equal_to", "not_equal_to"]),
  country_code: additionalKind("country_code", ["equal_to", "not_equal_to"]),
  referer: additionalKind("referer", ["equal_to", "not_equal_to", "contains", "does_not_contain"]),
  mail_subject: additionalKind("mail_subject", ["equal_to", "not_equal_to", "contains", "does_not_contain"]),
  contact_name: contactKind(contacts.name),
  contact_email: contactKind(contacts.email),
};

/** A custom attribute's key: what a JSON path may name without quoting trouble. */
const CUSTOM_KEY = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * A custom attribute of the conversation or its contact. Its type is the values': numbers compare
 * as numbers, booleans as booleans, texts ignoring case (dates as `YYYY-MM-DD` texts compare in order).
 */
function customKind(key: string, model: "conversation_attribute" | "contact_attribute"): Kind {
  const path = `$.${key}`;
  const column =
    model === "conversation_attribute"
      ? sql`json_extract(${conversations.customAttributes}, ${path})`
      : sql`(select json_extract(ct.custom_attributes, ${path}) from ${contacts} ct
          where ct.id = ${conversations.contactId})`;
  return {
    operators: FILTER_OPERATORS,
    build: (op, values) => {
      if (op === "is_present" || op === "is_not_present") return presence(column, op);
      if (op === "days_before") {
        const day = new Date(daysBefore(values)).toISOString().slice(0, 10);
        return sql`${column} < ${day}`;
      }
      const list = nonEmpty(values.map((v) => (typeof v === "object" && v !== null ? v.id : v)));
      if (op === "is_greater_than" || op === "is_less_than") {
        const v = list[0];
        if (typeof v === "boolean") throw new BadValue();
        const bound = typeof v === "number" ? v : /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v.trim();
        return op === "is_greater_than" ? sql`${column} > ${bound}` : sql`${column} < ${bound}`;
      }
      if (op === "contains" || op === "does_not_contain") return containsAny(column, op, texts(list));
      if (list.every((v) => typeof v === "boolean"))
        return equality(
          column,
          op,
          list.map((v) => (v ? 1 : 0)),
          true,
        );
      if (list.every((v) => typeof v === "number")) return equality(column, op, list as number[], true);
      return equality(
        sql`lower(${column})`,
        op,
        texts(list).map((t) => t.toLowerCase()),
        true,
      );
    },
  };
}

const problem = (i: number, field: string, message: string): ErrorDetail => ({
  field: `payload.${i}.${field}`,
  message,
});

function kindOf(c: Condition, i: number): Kind {
  const custom = c.custom_attribute_type || null;
  if (!custom && Object.hasOwn(STANDARD, c.attribute_key)) return STANDARD[c.attribute_key as FilterAttribute];
  if (custom && CUSTOM_KEY.test(c.attribute_key)) return customKind(c.attribute_key, custom);
  const message = `Invalid attribute key - [${c.attribute_key}]`;
  throw unprocessable(message, [problem(i, "attribute_key", custom ? "is not a valid key" : "is not an attribute")]);
}

/**
 * The conditions as one parameterised SQL condition on `conversations`. Each condition's
 * `query_operator` joins it to the next (Chatwoot's semantics: SQL precedence, AND before OR).
 * An unknown attribute or operator, or a value the attribute cannot take, answers 422.
 */
export function compileFilter(ctx: AgentContext, conditions: Condition[]): SQL {
  const parts: SQL[] = [];
  conditions.forEach((c, i) => {
    const kind = kindOf(c, i);
    const op = c.filter_operator as Operator;
    if (!kind.operators.includes(op)) {
      const allowed = kind.operators.join(",");
      throw unprocessable(`Invalid operator. The allowed operators for ${c.attribute_key} are [${allowed}].`, [
        problem(i, "filter_operator", `must be one of ${allowed}`),
      ]);
    }
    try {
      parts.push(sql`(${kind.build(op, c.values, ctx)})`);
    } catch (err) {
      if (!(err instanceof BadValue)) throw err;
      throw unprocessable(`Invalid value. The values provided for ${c.attribute_key} are invalid`, [
        problem(i, "values", `are not valid for ${c.attribute_key} ${op}`),
      ]);
    }
    if (i === conditions.length - 1) return;
    const joiner = (c.query_operator ?? "").toUpperCase();
    if (joiner !== "AND" && joiner !== "OR")
      throw unprocessable("Invalid query operator: conditions are joined by AND or OR", [
        problem(i, "query_operator", "must be AND or OR (it joins this condition to the next)"),
      ]);
    parts.push(joiner === "AND" ? sql` and ` : sql` or `);
  });
  return sql`(${sql.join(parts)})`;
}

/** The filter's two statements (apart, for the query-plan test): a page and Chatwoot's counts. */
export function filterQueries(ctx: AgentContext, conditions: Condition[], page = 1) {
  const where = and(
    sql`${conversations.accountId} = ${ctx.accountId}`,
    conversationsVisibleTo(viewerOf(ctx.actor)),
    compileFilter(ctx, conditions),
  )!;
  const me = ctx.actor.user.id;
  const rows = conversationViews(ctx.db, where)
    .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
    .limit(CONVERSATIONS_PER_PAGE)
    .offset((page - 1) * CONVERSATIONS_PER_PAGE);
  const counts = ctx.db
    .select({
      mine_count: sql<number>`coalesce(sum(${conversations.assigneeId} = ${me}), 0)`.mapWith(Number),
      assigned_count: sql<number>`coalesce(sum(${conversations.assigneeId} is not null), 0)`.mapWith(Number),
      unassigned_count: sql<number>`coalesce(sum(${conversations.assigneeId} is null), 0)`.mapWith(Number),
      all_count: sql<number>`count(*)`.mapWith(Number),
    })
    .from(conversations)
    .where(where);
  return [rows, counts] as const;
}

/**
 * Chatwoot's `POST /conversations/filter`: the conditions, with the list's visibility (an agent
 * sees only the conversations of their inboxes), newest activity first, 25 a page, with the counts.
 */
export async function filterConversations(ctx: AgentContext, conditions: Condition[], page = 1) {
  const [rows, counts] = await ctx.db.batch(filterQueries(ctx, conditions, page));
  return { conversations: rows.map(toView), meta: counts[0] };
}
