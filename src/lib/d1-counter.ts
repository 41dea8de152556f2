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

/**
 * Wraps the D1 binding so every statement and batch is counted and timed. Drizzle sees an
 * ordinary D1Database; `batch` unwraps the statements before handing them to D1.
 */
export function countingD1(db: D1Database, stats: D1Stats): D1Database {
  const wrapper = {
    prepare: (query: string) => new CountedStatement(db.prepare(query), stats),
    async batch(statements: (CountedStatement | D1PreparedStatement)[]) {
      const start = performance.now();
      try {
        return await db.batch(statements.map((s) => (s instanceof CountedStatement ? s.inner : s)));
      } finally {
        stats.roundTrips++;
        stats.ms += performance.now() - start;
      }
    },
    async exec(query: string) {
      stats.roundTrips++;
      return db.exec(query);
    },
    withSession: (...a: unknown[]) => (db as unknown as { withSession: (...x: unknown[]) => unknown }).withSession(...a),
    dump: () => db.dump(),
  };
  return wrapper as unknown as D1Database;
}
