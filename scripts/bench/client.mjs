// Small HTTP clients for seeding and probing a running dev server.
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../dev-server.mjs";

/** PLATFORM_API_TOKEN from .dev.vars (which `npm run dev` has created by the time it is read). */
export function platformToken() {
  const text = readFileSync(path.join(projectRoot, ".dev.vars"), "utf8");
  const token = text.match(/^\s*PLATFORM_API_TOKEN\s*=\s*"?([^"\s]+)"?\s*$/m)?.[1];
  if (!token) throw new Error("no PLATFORM_API_TOKEN in .dev.vars");
  return token;
}

/** D1 round trips from `Server-Timing: d1;desc="<N> round trips";dur=<ms>` (null when absent). */
export function roundTrips(headers) {
  const match = (headers.get("server-timing") ?? "").match(/d1;desc="(\d+) round trips"/);
  return match ? Number(match[1]) : null;
}

/** A JSON client bound to a base URL and a token (api_access_token header). */
export function client(baseUrl, token, extraHeaders = {}) {
  const call = async (method, urlPath, body, { allowError = false, headers = {} } = {}) => {
    const res = await fetch(`${baseUrl}${urlPath}`, {
      method,
      headers: {
        ...(token ? { api_access_token: token } : {}),
        "content-type": "application/json",
        ...extraHeaders,
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !allowError) throw new Error(`${method} ${urlPath}: ${res.status} ${text.slice(0, 300)}`);
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body: json, headers: res.headers };
  };
  return {
    call,
    get: async (p) => (await call("GET", p)).body,
    post: async (p, b = {}) => (await call("POST", p, b)).body,
    patch: async (p, b = {}) => (await call("PATCH", p, b)).body,
  };
}
