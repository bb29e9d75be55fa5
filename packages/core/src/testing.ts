/**
 * `@orchestrator-ts/core/testing`: helpers for an app's tests.
 *
 * `withCliProcess(process, run)` runs an app's `main.ts` (or any `runCli` call) in the test's own process with its
 * own arguments, environment, output streams and exit code, so a test can run `db` commands without a subprocess.
 */
export { withCliProcess, type CliProcess } from "./cli/index.js";
