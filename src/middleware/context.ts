import type { DB } from "../db/client";
import type { D1Stats } from "../lib/d1-counter";
import type { Principal } from "../services/auth";
import type { Outbox } from "../events/outbox";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    db: DB;
    d1: D1Stats;
    requestId: string;
    principal: Principal;
    /** Events recorded while serving the request; enqueued once the response is ready. */
    outbox: Outbox;
    /**
     * The answer to a repeated Idempotency-Key (`middleware/idempotency.ts`), held until `authenticate`
     * admits the caller.
     */
    idempotentAnswer: Response | undefined;
  };
};
