/**
 * The beginner orchestrator's entry point: `npx tsx main.ts db <command>` manages its database.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";

await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
