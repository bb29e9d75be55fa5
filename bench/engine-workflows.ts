/** Workflows of the engine benchmark: N steps, each returning a ~200-byte result. */
import { begin, step, workflow, type Workflow } from "@orchestrator-ts/core";

const payload = "x".repeat(190);

export function nSteps(n: number): Workflow {
  let list = begin;
  for (let i = 0; i < n; i++) list = list.chain(step(`Step ${i + 1}`, () => ({ [`r${i}`]: payload })));
  return workflow({}, list);
}

export const bench_1 = nSteps(1);
export const bench_3 = nSteps(3);
export const bench_10 = nSteps(10);
export const bench_50 = nSteps(50);
