/**
 * The generate example's entry point: `npx tsx main.ts db upgrade heads`, `npx tsx main.ts` to serve. Everything
 * under products/, workflows/, tests/ and migrations/ was written by `generate all --config-file node.yaml`.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";
import "./products/index.js";
import "./workflows/index.js";

await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
