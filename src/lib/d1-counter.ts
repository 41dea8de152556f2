/** Round trips to D1 made while serving one request; a `batch` is one round trip. */
export type D1Stats = { roundTrips: number; ms: number };

class CountedStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly stats: D1Stats,
  ) {}

  bind(...values: unknown[]) {
    return new CountedStatement(this.inner.bind(...values), this.stats);
  }

  private async time<T>(op: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await op();
    } finally {
      this.stats.roundTrips++;
      this.stats.ms += performance.now() - start;
    }
  }

  all(...a: unknown[]) {
    return this.time(() => (this.inner.all as (...x: unknown[]) => Promise<unknown>)(...a));
  }
  raw(...a: unknown[]) {
    return this.time(() => (this.inner.raw as (...x: unknown[]) => Promise<unknown>)(...a));
  }
  run(...a: unknown[]) {
    return this.time(() => (this.inner.run as (...x: unknown[]) => Promise<unknown>)(...a));
  }
  first(...a: unknown[]) {
    return this.time(() => (this.inner.first as (...x: unknown[]) => Promise<unknown>)(...a));
  }
}

/** What Drizzle's D1 driver calls on its client (`prepare`, `batch`): a request's D1 session offers both. */
type D1Client = Pick<D1DatabaseSession, "prepare" | "batch">;

/**
 * Wraps the request's D1 session so every statement and batch is counted and timed; `batch`
 * unwraps the statements before handing them to D1, and shows `observe` each batch's results
 * as D1 returned them (with column names). Drizzle's `drizzle()` is typed for a whole
 * D1Database, but its driver only ever calls `prepare` and `batch`, so the wrapper has just those.
 */
export function countingD1(db: D1Client, stats: D1Stats, observe?: (results: readonly D1Result[]) => void): D1Database {
  const wrapper: D1Client = {
    prepare: (query: string) => new CountedStatement(db.prepare(query), stats) as unknown as D1PreparedStatement,
    async batch<T>(statements: D1PreparedStatement[]) {
      const start = performance.now();
      try {
        const results = await db.batch<T>(statements.map((s) => (s instanceof CountedStatement ? s.inner : s)));
        observe?.(results);
        return results;
      } finally {
        stats.roundTrips++;
        stats.ms += performance.now() - start;
      }
    },
  };
  return wrapper as D1Database;
}
