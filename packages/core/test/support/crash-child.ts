/** Child process of the crash test: starts `crash_me` on DATABASE_URI and blocks in its second step until killed. */
import { openDatabase, WorkflowEngine } from "../../src/index.js";
import { register } from "./engine-db.js";

const database = await openDatabase({ uri: process.env.DATABASE_URI });
const engine = new WorkflowEngine({ database });
await engine.start();
await register({ ...database, uri: process.env.DATABASE_URI }, "crash_me", "SYSTEM", { isTask: true });
const pid = await engine.startProcess("crash_me");
process.stdout.write(`PID ${pid}\n`);
await engine.waitFor(pid);
