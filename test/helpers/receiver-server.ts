import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";

/**
 * A webhook receiver on 127.0.0.1 for the tests (started once by vitest's globalSetup, in Node).
 * `POST /config/<name>` sets how `/hooks/<name>` answers: fail the first `fail` requests with
 * `mode` (500, 429 with Retry-After, 404, or hang), then 200. `GET /requests/<name>` lists what
 * arrived there: headers, raw body, and the status answered. With RECORD_EXAMPLES=1 (`npm run
 * docs:examples`), `POST /examples` writes the examples the run recorded to
 * public/openapi/examples.json (the tests run in workerd, which cannot write the repository).
 */
type Mode = "500" | "429" | "404" | "hang";
type Config = { fail: number; mode: Mode; retryAfter?: number };
type Received = { headers: Record<string, string>; body: string; status: number | "hung"; at: number };

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = "";
    req
      .setEncoding("utf8")
      .on("data", (c) => (data += c))
      .on("end", () => resolve(data));
  });

export default async function setup(project: TestProject) {
  const configs = new Map<string, Config>();
  const received = new Map<string, Received[]>();
  const hung: ServerResponse[] = [];
  const server = createServer(async (req, res) => {
    const [, kind, name] = (req.url ?? "").split("?")[0].split("/");
    const body = await read(req);
    if (req.method === "POST" && kind === "config") {
      configs.set(name, JSON.parse(body));
      return res.writeHead(200).end("{}");
    }
    if (req.method === "POST" && kind === "examples" && process.env.RECORD_EXAMPLES === "1") {
      const file = path.join(process.cwd(), "public/openapi/examples.json");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(JSON.parse(body), null, 2)}\n`);
      return res.writeHead(200).end("{}");
    }
    if (req.method === "GET" && kind === "requests") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(received.get(name) ?? []));
    }
    if (req.method === "POST" && kind === "hooks") {
      const list = received.get(name) ?? [];
      received.set(name, list);
      const config = configs.get(name);
      const failing = config && list.length < config.fail;
      const entry: Received = { headers: req.headers as Record<string, string>, body, status: 200, at: Date.now() };
      list.push(entry);
      if (!failing) return res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      if (config.mode === "hang") {
        entry.status = "hung";
        hung.push(res);
        return;
      }
      entry.status = Number(config.mode);
      const headers: Record<string, string> = config.retryAfter ? { "retry-after": String(config.retryAfter) } : {};
      return res.writeHead(Number(config.mode), headers).end(`receiver says ${config.mode}`);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  project.provide("receiverUrl", `http://127.0.0.1:${port}`);
  project.provide("recordExamples", process.env.RECORD_EXAMPLES === "1");
  return async () => {
    for (const res of hung) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
}
