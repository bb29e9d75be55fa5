/**
 * The server process of bench/api.ts: the beginner app's API on the given database (no migrations: the bench did
 * them), with every SQL statement counted so the parent can ask how many statements a request took.
 * Forked with IPC; sends { url } when listening and answers "count" with { count }.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine, loadSettings, openDatabase, setWorkflowRoot } from "@orchestrator-ts/core";
import { createApi } from "@orchestrator-ts/core/server";
import "../examples/beginner/products/index.js";
import "../examples/beginner/workflows/index.js";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "examples", "beginner");
setWorkflowRoot(appRoot);
const settings = loadSettings({ DATABASE_URI: process.env.DATABASE_URI, LOG_LEVEL: "silent" });
const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot, poolSize: 10 });
let statements = 0;
const counted = database.db.withPlugin({
  transformQuery: (args) => {
    statements++;
    return args.node;
  },
  transformResult: async (args) => args.result,
});
const engine = createEngine(database, settings);
const app = await createApi({ database: { ...database, db: counted }, engine, settings, logger: false, uiFolder: false });
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address() as { port: number };
process.send!({ url: `http://127.0.0.1:${address.port}` });
process.on("message", (message) => {
  if (message === "count") process.send!({ count: statements });
  if (message === "stop") void app.close().then(() => engine.shutdown()).then(() => database.close()).then(() => process.exit(0));
});
