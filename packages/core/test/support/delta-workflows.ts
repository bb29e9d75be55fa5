/**
 * Workflows of step-state-deltas.review.ts: states that stress the delta codec, step groups, callback steps,
 * input steps, conditional skips, failures (repeated identical ones too), gates to pause / abort / shut down mid-run.
 * Behaviour is steered by `deltaConfig` (set by the test before each scenario); failures count per process.
 */
import {
  callbackStep,
  conditional,
  done,
  formPage,
  init,
  inputStep,
  step,
  stepGroup,
  workflow,
  Target,
  type State,
} from "../../src/index.js";
import { z } from "zod";

export interface DeltaConfig {
  /** Sub-step g3 of "Group" fails this many times (same message each time). */
  g3Fails: number;
  /** "Flaky" fails this many times (same message: a repeated identical failure). */
  flakyFails: number;
  /** "Late fail" (after more than 16 rows) fails this many times, with a new message each time. */
  lateFails: number;
  /** Whether "Confirm" (an input step) runs, else it is skipped. */
  ask: boolean;
  /** Hold "Gate" until the test opens it. */
  gate: boolean;
}
export const deltaConfig: DeltaConfig = { g3Fails: 0, flakyFails: 0, lateFails: 0, ask: false, gate: false };

const failures = new Map<string, number>();
function failTimes(key: string, times: number, message: (n: number) => string): void {
  const n = failures.get(key) ?? 0;
  if (n < times) {
    failures.set(key, n + 1);
    throw new Error(message(n));
  }
}

let openGate: () => void = () => undefined;
let reached: () => void = () => undefined;
let passage: Promise<void> = Promise.resolve();
export let gateReached: Promise<void> = Promise.resolve();
/** Close the gate: returns the function that opens it. */
export function closeDeltaGate(): () => void {
  passage = new Promise<void>((resolve) => (openGate = resolve));
  gateReached = new Promise<void>((resolve) => (reached = resolve));
  return () => openGate();
}

export const BIG_LENGTH = 300_000;

const filler = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => {
    const i = from + k;
    return step(`Fill ${i}`, (state: State) => {
      const out: State = { [`k${i}`]: `v${i}` };
      if (i % 5 === 0) out.counter = Number(state.counter ?? 0) + 1;
      if (i % 7 === 0) out.__remove_keys = [`k${i - 3}`];
      return out;
    });
  });

export const delta_main = workflow(
  { target: Target.SYSTEM },
  init.chain(
    step("Seed", () => {
      // own keys `__proto__`, as JSON.parse makes them
      const odd = JSON.parse('{"__proto__": {"polluted": true}, "inner": {"__proto__": [1]}}') as State;
      return {
        ...odd,
        constructor: "c",
        toString: { nested: "t" },
        hasOwnProperty: 1,
        "a.b": "dot",
        'q"u\'ote\\': "quote",
        "ünï😀 \u2028": "unicode \u0001 \ud83d\ude00",
        undef: undefined,
        nul: null,
        obj: { x: 1, deep: { y: [1, 2], z: { w: "w" } } },
        arr: [1, { a: 2 }, null],
        date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)),
        big: "b".repeat(BIG_LENGTH),
        num: 1e21,
        neg: -0,
        float: 0.1 + 0.2,
        set: { looks: "like a delta" },
        unset: ["also"],
      };
    }),
    step("Mutate in place", (state) => {
      (state.obj as { x: number; deep: { y: number[] } }).x = 2;
      (state.obj as { x: number; deep: { y: number[] } }).deep.y.push(3);
      (state.arr as unknown[]).push("pushed");
      state.undef2 = undefined;
      return state;
    }),
    step("Same", () => ({})),
    step("Same again", (state) => state),
    step("Remove", () => ({ __remove_keys: ["toString", "a.b", "unset", "not there"] })),
    step("Set undefined", () => ({ nul: undefined, constructor: "changed" })),
    conditional(() => false)(step("Skipped", () => ({ never: true }))),
    step("Gate", async () => {
      if (deltaConfig.gate) {
        reached();
        await passage;
      }
      return { gated: true };
    }),
    ...filler(1, 4),
    stepGroup("Group", [
      step("g1", () => ({ g1: 1, obj: { x: 10, deep: { y: [] } } })),
      step("g2", (state) => {
        (state.obj as { deep: { y: number[] } }).deep.y.push(42);
        return { g2: 2, __remove_keys: ["k2"] };
      }),
      step("g3", (state) => {
        failTimes(`g3-${state.process_id}`, deltaConfig.g3Fails, () => "g3 failed");
        return { g3: 3 };
      }),
      step("g4", () => ({ g4: 4, g1: undefined })),
    ]),
    step("Flaky", (state) => {
      failTimes(`flaky-${state.process_id}`, deltaConfig.flakyFails, () => "flaky failed");
      return { flaky: "ok" };
    }),
    conditional(() => deltaConfig.ask)(inputStep("Confirm", () => formPage({ confirmed: z.boolean(), extra: z.object({ a: z.number() }).default({ a: 1 }) }))),
    ...filler(5, 24),
    step("Late fail", (state) => {
      failTimes(`late-${state.process_id}`, deltaConfig.lateFails, (n) => `late failure ${n}`);
      return { late: "ok" };
    }),
    ...filler(25, 30),
    done,
  ),
);

/** A long process: a step group in progress after the first snapshots, failing; a later failure too. */
export const delta_long_group = workflow(
  { target: Target.SYSTEM },
  init.chain(
    ...filler(1, 20),
    stepGroup("Long group", [
      step("lg1", () => ({ lg1: "a" })),
      step("lg2", () => ({ lg2: "b", __remove_keys: ["k1"] })),
      step("lg3", (state) => {
        failTimes(`lg3-${state.process_id}`, deltaConfig.g3Fails, (n) => `lg3 failure ${n}`);
        return { lg3: "c" };
      }),
    ]),
    ...filler(21, 40),
    step("Late fail", (state) => {
      failTimes(`late-${state.process_id}`, deltaConfig.lateFails, (n) => `late failure ${n}`);
      return { late: "ok" };
    }),
    ...filler(41, 45),
    done,
  ),
);

export const delta_callback = workflow(
  { target: Target.SYSTEM },
  init.chain(
    ...filler(1, 3),
    callbackStep(
      "Provision",
      step("Send request", (state) => ({ sent: true, obj: { route: state.callback_route } })),
      step("Check result", (state) => {
        const result = state.callback_result as { ok?: boolean } | undefined;
        if (!result?.ok) throw new Error("callback said not ok");
        return { provisioned: true };
      }),
      { timeout: 60 },
    ),
    ...filler(4, 8),
    done,
  ),
);
