import type { DB } from "../db/client";
import type { D1Stats } from "../lib/d1-counter";
import type { Principal } from "../services/auth";
import type { PublicClient } from "../services/public-client";
import type { Outbox } from "../events/outbox";
import type { ConversationView } from "../serializers/conversation";
import type { MessageWithSender } from "../views/messages";

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
    /** The client API's preload (`middleware/public-client.ts`), read by its handlers. */
    preload: unknown;
    /** The path's conversation, visible to the caller: set by the routes that load it (`authenticate({ load })`). */
    conversation: ConversationView;
    /** The path's message of that conversation, on the message routes that load it. */
    message: MessageWithSender;
    /**
     * The answer to a repeated Idempotency-Key (`middleware/idempotency.ts`), held until `authenticate`
     * admits the caller.
     */
    idempotentAnswer: Response | undefined;
  };
};
