// The bare Hono route `npm run bench` compares every route with: a JSON answer and nothing else,
// so the difference is what Konversio's middleware and work cost.
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ ok: true }));

export default app;
