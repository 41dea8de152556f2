import { inject } from "vitest";
import { unique } from "./factories";

export type Received = { headers: Record<string, string>; body: string; status: number | "hung"; at: number };

/** A named endpoint on the test receiver (see receiver-server.ts). */
export function receiver(label = "hook") {
  const base = inject("receiverUrl");
  const name = unique(label);
  return {
    url: `${base}/hooks/${name}`,
    configure: (config: { fail: number; mode: "500" | "429" | "404" | "hang"; retryAfter?: number }) =>
      fetch(`${base}/config/${name}`, { method: "POST", body: JSON.stringify(config) }),
    requests: async (): Promise<Received[]> => (await fetch(`${base}/requests/${name}`)).json(),
  };
}
