/**
 * An orchestrator server for API tests: the beginner example (its products, workflows and migrations) on a fresh
 * database of the back-end under test, listening on a free port; plus a small JSON client over real HTTP.
 */
import { join } from "node:path";
import { sql } from "kysely";
import { loadSettings, type Target } from "../../src/index.js";
import { serve, type RunningServer } from "../../src/api/index.js";
import "../../../../examples/beginner/products/index.js";
import "../../../../examples/beginner/workflows/index.js";
import { appDatabase } from "./db.js";
import { register } from "./engine-db.js";
import { REPO_ROOT, tempDir } from "./files.js";

export const BEGINNER_APP = join(REPO_ROOT, "examples", "beginner");

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestServer {
  server: RunningServer;
  url: string;
  /** The DATABASE_URI of its database (another connection, another process). */
  uri: string;
  request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** Poll a process until it leaves created/running/resumed; returns its detail. */
  settle(processId: string): Promise<any>;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    env?: Record<string, string>;
    testWorkflows?: { name: string; target?: Target; isTask?: boolean }[];
    /** Fastify's logger option; default none. */
    logger?: Parameters<typeof serve>[0]["logger"];
  } = {},
): Promise<TestServer> {
  const folder = tempDir("api");
  const { uri, drop } = await appDatabase(folder.path);
  const settings = loadSettings({ DATABASE_URI: uri, PORT: "0", LOG_LEVEL: "silent", MAX_WORKERS: "4", ...options.env });
  const server = await serve({ appRoot: BEGINNER_APP, settings, logger: options.logger ?? false, uiFolder: false });
  if (options.testWorkflows?.length) await sql`create table if not exists test_log (id serial primary key, pid uuid, step text)`.execute(server.database.db);
  for (const w of options.testWorkflows ?? []) {
    await register({ ...server.database, uri }, w.name, w.target ?? "SYSTEM", { isTask: w.isTask });
  }
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (metrics, docs)
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  };
  const settle = async (processId: string) => {
    for (let i = 0; i < 400; i++) {
      const { body } = await request("GET", `/api/processes/${processId}`);
      if (!["created", "running", "resumed"].includes(body.last_status)) return body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`process ${processId} did not settle`);
  };
  return {
    server,
    url: server.url,
    uri,
    request,
    settle,
    close: async () => {
      await server.close();
      await drop();
      folder.cleanup();
    },
  };
}
