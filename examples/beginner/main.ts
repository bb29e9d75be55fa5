/**
 * The beginner orchestrator's entry point: `npx tsx main.ts db <command>` manages its database. Importing the
 * products registers the domain models by product name, importing the workflows registers them in code.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";
import "./products/index.js";
import "./workflows/index.js";

await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
