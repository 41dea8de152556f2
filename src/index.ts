import { buildApp } from "./app";
import { handleScheduled } from "./cron";
import { handleQueue } from "./webhooks/consumer";

export { CableHub } from "./realtime/hub";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
  scheduled: (_controller, env, ctx) => ctx.waitUntil(handleScheduled(env)),
} satisfies ExportedHandler<Env>;
