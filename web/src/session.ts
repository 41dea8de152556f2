import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { api, ApiError, ok, setCsrfToken, type Schemas } from "./api";
import type { Live } from "./live";

export type Availability = "online" | "busy" | "offline";
export type AccountRef = {
  id: number;
  name: string;
  role: string;
  availability?: string;
  availability_status?: string;
};

/** Who is signed in, to which account (the first one unless the sign-in names another). */
export type Me = {
  id: number;
  name: string;
  email: string;
  pubsubToken: string;
  accounts: AccountRef[];
  accountId: number;
  accountName: string;
  isAdmin: boolean;
  availability: Availability;
};

/** The `data` of sign-in and validate_token: the profile plus csrf_token (absent in a profile). */
type SessionData = Omit<Schemas["SessionUser"], "csrf_token"> & { csrf_token?: string };

export function toMe(data: SessionData): Me {
  if (data.csrf_token) setCsrfToken(data.csrf_token);
  const account = data.accounts.find((a) => a.id === data.account_id) ?? data.accounts[0];
  if (!account) throw new ApiError(403, "This user belongs to no account.");
  const availability = (account.availability ?? account.availability_status ?? "offline") as Availability;
  return {
    id: data.id,
    name: data.name,
    email: data.email,
    pubsubToken: data.pubsub_token,
    accounts: data.accounts,
    accountId: account.id,
    accountName: account.name,
    isAdmin: account.role === "administrator",
    availability,
  };
}

/** Whether the browser holds a session: `GET /auth/validate_token` with the cookie. */
export async function loadSession(): Promise<Me | null> {
  try {
    return toMe((await ok(api.GET("/auth/validate_token"))).data);
  } catch {
    return null;
  }
}

export async function signIn(email: string, password: string): Promise<Me> {
  return toMe((await ok(api.POST("/auth/sign_in", { body: { email, password } }))).data);
}

export async function signOut() {
  try {
    await ok(api.DELETE("/auth/sign_out"));
  } finally {
    setCsrfToken(null);
  }
}

export type Ctx = { me: Me; live: Live; setMe: (me: Me) => void };
export const SessionContext = createContext<Ctx | null>(null);
export const useSession = () => useContext(SessionContext)!;
