/**
 * `PUBLIC_API_ALLOWED_ORIGINS`: "*" (the default) lets any web page call the client API, which
 * has no cookies to steal; a comma-separated list of origins restricts browsers to those pages.
 */
export function allowedOrigins(setting: string | undefined): "*" | string[] {
  const value = (setting ?? "*").trim();
  if (value === "" || value === "*") return "*";
  return value
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, "").toLowerCase())
    .filter(Boolean);
}

/** Whether a browser on `origin` may call the client API (requests without an Origin are not browsers). */
export function originAllowed(setting: string | undefined, origin: string | undefined | null): boolean {
  const allowed = allowedOrigins(setting);
  if (!origin || allowed === "*") return true;
  return allowed.includes(origin.toLowerCase());
}
