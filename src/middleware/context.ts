import type { DB } from "../db/client";
import type { D1Stats } from "../lib/d1-counter";
import type { Principal } from "../services/auth";
import type { PublicClient } from "../services/public-client";
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
    /** The public client API's caller: inbox and, under `/contacts/{source_id}`, the session. */
    client: PublicClient;
    /** Result of the read an authenticated route asked to run in the same batch as auth. */
    preload: unknown;
    /**
     * The answer to a repeated Idempotency-Key (`middleware/idempotency.ts`), held until `authenticate`
     * admits the caller.
     */
    idempotentAnswer: Response | undefined;
  };
};
