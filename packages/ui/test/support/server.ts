/**
 * The orchestrator for the browser tests: the beginner example plus a flaky test task, on a fresh database (PGlite in
 * a temp folder under tmp/, or a fresh PostgreSQL database with TEST_DATABASE=postgres), serving the built UI.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTask, LazyWorkflowInstance, loadSettings } from "@orchestrator-ts/core";
import { serve, type RunningServer } from "@orchestrator-ts/core/server";
import "../../../../examples/beginner/products/index.ts";
import "../../../../examples/beginner/workflows/index.ts";
import { appDatabase } from "../../../core/test/support/db.ts";
import { REPO_ROOT, tempDir } from "../../../core/test/support/files.ts";

export const BEGINNER_APP = join(REPO_ROOT, "examples", "beginner");
/** The built UI to serve: packages/ui/dist, or another build named by UI_DIST (to try the tests on an older UI). */
export const UI_DIST = process.env.UI_DIST ?? join(REPO_ROOT, "packages", "ui", "dist");
export const FLAKY_TASK = "task_flaky_once";
export const REVIEW_TASK = "task_ask_review";

export interface UiTestServer {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/** Starts the server; `env` adds settings (e.g. OAUTH2_ACTIVE and the OIDC_* of a test identity provider). */
export async function startUiServer(options: { env?: Record<string, string> } = {}): Promise<UiTestServer> {
  if (!existsSync(join(UI_DIST, "index.html"))) throw new Error("packages/ui/dist is missing: run `npm run build:ui` first");
  const folder = tempDir("ui");
  const { uri, drop } = await appDatabase(folder.path);
  const settings = loadSettings({ DATABASE_URI: uri, PORT: "0", LOG_LEVEL: "silent", MAX_WORKERS: "4", ...options.env });
  const tasks = fileURLToPath(new URL("./test-tasks.ts", import.meta.url));
  new LazyWorkflowInstance(tasks, FLAKY_TASK);
  new LazyWorkflowInstance(tasks, REVIEW_TASK);
  const server = await serve({ appRoot: BEGINNER_APP, settings, logger: false, uiFolder: UI_DIST });
  await createTask(server.database.db, { name: FLAKY_TASK, description: "Flaky test task (fails once)" });
  await createTask(server.database.db, { name: REVIEW_TASK, description: "Test task asking for a review" });
  return {
    server,
    url: server.url,
    close: async () => {
      await server.close();
      await drop();
      folder.cleanup();
    },
  };
}
