import { api, type ApiResponse } from "./api";

/** The console's own origin in the tests (helpers/api.ts sends requests to it). */
export const CONSOLE_ORIGIN = "http://konversio.test";

/** The session cookie a sign-in set, as a Cookie header value. */
export function cookieOf(res: ApiResponse): string {
  const value = res.headers.get("set-cookie")?.match(/konversio_session=([^;]+)/)?.[1];
  if (!value) throw new Error(`no session cookie: ${res.status} ${res.text}`);
  return `konversio_session=${value}`;
}

/** Headers of a request made on the session cookie from the console, with its CSRF token when given. */
export const onCookie = (cookie: string, csrf?: string, extra: Record<string, string> = {}) => ({
  headers: { cookie, origin: CONSOLE_ORIGIN, ...(csrf ? { "x-csrf-token": csrf } : {}), ...extra },
});

/** Signs in as the console does; each caller passes its own client address, so brute-force counts stay apart. */
export async function consoleSession(email: string, ip: string, password = "Secret-password-1") {
  const res = await api("POST", "/auth/sign_in", { email, password }, { headers: { "cf-connecting-ip": ip } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
  const cookie = cookieOf(res);
  const csrf = res.body.data.csrf_token as string;
  return { res, cookie, csrf, headers: onCookie(cookie, csrf).headers };
}
