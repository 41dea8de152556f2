// What the Worker's bundle keeps of zod's locales: English, the only language its error messages
// are written in. wrangler.toml aliases zod's own `../locales/index.js` to this file; without it,
// `z.locales` (kept whole because @hono/zod-openapi extends the `z` namespace object) carried all
// 63 translations, a quarter of the bundle. Tests and types use zod as published.
export { default as en } from "zod/v4/locales/en.js";
