import { useState } from "preact/hooks";
import { api, ok } from "../api";
import { errorText } from "../components/ui";
import { BASE } from "../router";

export function SetPassword() {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (password !== confirmation) return setError("The two passwords differ.");
    try {
      await ok(api.POST("/auth/password", { body: { token, password, password_confirmation: confirmation } }));
      setDone(true);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <main class="auth">
      <form class="card" onSubmit={submit} aria-labelledby="set-password-title">
        <h1 id="set-password-title">Set your password</h1>
        {!token && (
          <p class="alert" role="alert">
            This link has no token. Ask an administrator for a new one.
          </p>
        )}
        {done ? (
          <p role="status">
            Your password is set. <a href={`${BASE}/`}>Sign in</a>
          </p>
        ) : (
          <>
            <label>
              New password
              <input
                type="password"
                autocomplete="new-password"
                required
                minLength={8}
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
            <label>
              Confirm password
              <input
                type="password"
                autocomplete="new-password"
                required
                minLength={8}
                value={confirmation}
                onInput={(e) => setConfirmation(e.currentTarget.value)}
              />
            </label>
            {error && (
              <p class="alert" role="alert">
                {error}
              </p>
            )}
            <button type="submit" class="primary" disabled={!token}>
              Set password
            </button>
          </>
        )}
      </form>
    </main>
  );
}
