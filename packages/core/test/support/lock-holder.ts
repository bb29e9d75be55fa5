/**
 * Child process of the folder-lock test: opens the embedded database named by its first argument
 * (`pglite://<folder>`), prints `OPEN <pid>` and keeps it open until killed; or prints `ERROR <message>` and exits 1.
 */
import { openDatabase } from "../../src/db/index.js";

try {
  await openDatabase({ uri: process.argv[2] });
  process.stdout.write(`OPEN ${process.pid}\n`);
  setInterval(() => undefined, 60_000); // stay alive, holding the database, until killed
} catch (error) {
  process.stdout.write(`ERROR ${(error as Error).message}\n`);
  process.exitCode = 1;
}
