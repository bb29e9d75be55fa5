/**
 * The workers bench's app: the beginner example's products and workflows plus `bench_sleepy`, and the orchestrator's
 * command line (`main.ts serve`, `main.ts worker`), run by bench/workers.ts as child processes.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LazyWorkflowInstance, runCli } from "@orchestrator-ts/core";
import "../../examples/beginner/products/index.js";
import "../../examples/beginner/workflows/index.js";

new LazyWorkflowInstance("workflows", "bench_sleepy", () => import("./workflows.js"));

// the beginner's workflow modules are named from its folder
await runCli({ appRoot: join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "examples", "beginner") });
