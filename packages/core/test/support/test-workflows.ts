/**
 * Workflows used by the engine tests. Steps record their runs in the `test_log` table (created by `prepareEngineDb`)
 * through the step's transaction, so a test can see which steps ran how often and what was committed.
 */
import { sql } from "kysely";
import { z } from "zod";
import {
  begin,
  callbackStep,
  conditional,
  done,
  formPage,
  init,
  inputStep,
  retryStep,
  step,
  stepGroup,
  task,
  workflow,
  Assignee,
  Target,
  type StepContext,
} from "../../src/index.js";

export async function logRun(ctx: StepContext, name: string): Promise<void> {
  const db = await ctx.db();
  await sql`insert into test_log (pid, step) values (${ctx.processId}, ${name})`.execute(db);
}

/** How many times each test step has failed on purpose, per process. */
const failures = new Map<string, number>();
function failFirst(key: string, times: number, message: string): void {
  const n = failures.get(key) ?? 0;
  if (n < times) {
    failures.set(key, n + 1);
    throw new Error(message);
  }
}

export const simple_task = workflow(
  { target: Target.SYSTEM },
  init.chain(
    step("Step a", () => ({ a: 1 })),
    done,
  ),
);

export const three_steps = task(
  {},
  begin.chain(
    step("One", async (_s, ctx) => {
      await logRun(ctx, "One");
      return { one: "x".repeat(10) };
    }),
    step("Two", async (_s, ctx) => {
      await logRun(ctx, "Two");
      return { two: 2 };
    }),
    step("Three", async (_s, ctx) => {
      await logRun(ctx, "Three");
      return { three: 3 };
    }),
  ),
);

export const fail_once = workflow(
  { target: Target.SYSTEM },
  init.chain(
    step("Before", () => ({ before: true })),
    step("Flaky", async (state, ctx) => {
      await logRun(ctx, "Flaky");
      failFirst(`flaky-${state.process_id}`, Number(state.fail_times ?? 1), "boom");
      return { flaky: "ok" };
    }),
    done,
  ),
);

export const fail_rollback = workflow(
  { target: Target.SYSTEM },
  init.chain(
    step("Writes then fails", async (_s, ctx) => {
      await logRun(ctx, "written-before-failure");
      throw new Error("after the write");
    }),
    done,
  ),
);

export const inconsistent_task = task(
  {},
  step("Check data", () => {
    const error = new Error("the data is wrong");
    error.name = "AssertionError";
    throw error;
  }),
);

export const retry_later = workflow(
  { target: Target.SYSTEM },
  init.chain(
    retryStep("Call flaky API", (state) => {
      failFirst(`retry-${state.process_id}`, 1, "API down");
      return { called: true };
    }),
    done,
  ),
);

const confirmForm = () =>
  formPage({ confirmed: z.boolean(), comment: z.string().default("") }, { title: "Please confirm" });

export const needs_input = workflow(
  { target: Target.SYSTEM },
  init.chain(
    step("Prepare", () => ({ prepared: true, nested: { keep: 1 } })),
    inputStep("Confirm", confirmForm, { assignee: Assignee.NOC }),
    step("After confirm", (state) => ({ saw: state.confirmed })),
    done,
  ),
);

export const with_form = workflow(
  {
    target: Target.SYSTEM,
    initialInputForm: () => formPage({ name: z.string().min(2), size: z.number().int().default(3) }, { title: "Create something" }),
  },
  init.chain(
    step("Use input", (state) => ({ greeting: `hello ${state.name} (${state.size})` })),
    done,
  ),
);

export const conditional_steps = workflow(
  { target: Target.SYSTEM },
  init.chain(
    conditional((s) => s.flag === true)(step("Only with flag", () => ({ ran: true }))),
    step("Always", () => ({ always: true })),
    done,
  ),
);

export const grouped = workflow(
  { target: Target.SYSTEM },
  init.chain(
    stepGroup("Group", [step("g1", () => ({ g1: 1 })), step("g2", () => ({ g2: 2 })), step("g3", () => ({ g3: 3 }))]),
    done,
  ),
);

/** A step group whose second sub-step fails the first time (retried from that sub-step). */
export const grouped_flaky = workflow(
  { target: Target.SYSTEM },
  init.chain(
    stepGroup("Group", [
      step("g1", () => ({ g1: 1 })),
      step("g2", (state) => {
        failFirst(`group-${state.process_id}`, 1, "g2 failed");
        return { g2: 2 };
      }),
      step("g3", () => ({ g3: 3 })),
    ]),
    done,
  ),
);

export const with_callback = workflow(
  { target: Target.SYSTEM },
  init.chain(
    callbackStep(
      "Provision",
      step("Send request", (state) => ({ sent_to: state.callback_route })),
      step("Check result", (state) => {
        const result = state.callback_result as { ok?: boolean } | undefined;
        if (!result?.ok) throw new Error("callback said not ok");
        return { provisioned: true };
      }),
      { timeout: 60 },
    ),
    done,
  ),
);

export const refused = workflow({ target: Target.SYSTEM, runPredicate: () => "Not now" }, init.chain(done));

let inFlight = 0;
export let maxInFlight = 0;
export function resetInFlight(): void {
  inFlight = 0;
  maxInFlight = 0;
}
export const slow = task(
  {},
  step("Slow", async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 60));
    inFlight--;
  }),
);

/** Blocks in "Two" (after writing, before its checkpoint) while BLOCK_STEP_TWO is set; the crash test kills it there. */
export const crash_me = task(
  {},
  begin.chain(
    step("One", async (_s, ctx) => {
      await logRun(ctx, "One");
      return { one: 1 };
    }),
    step("Two", async (_s, ctx) => {
      // the write is in the step's transaction: a crash before the checkpoint commits must lose it
      await logRun(ctx, "Two");
      if (process.env.BLOCK_STEP_TWO) {
        process.stdout.write("IN_STEP_TWO\n");
        await new Promise(() => undefined);
      }
      return { two: 2 };
    }),
    step("Three", async (_s, ctx) => {
      await logRun(ctx, "Three");
      return { three: 3 };
    }),
  ),
);

export const not_a_workflow = { hello: "world" };

// --- subscription workflows (on the subscriptions table directly) ---
import { createWorkflow, modifyWorkflow, storeProcessSubscription, terminateWorkflow } from "../../src/index.js";

export const create_thing = createWorkflow(
  { initialInputForm: (state) => formPage({ name: z.string().min(1) }, { title: String(state.product_name) }) },
  begin.chain(
    step("Create subscription", async (state, ctx) => {
      const db = await ctx.db();
      const row = await db
        .insertInto("subscriptions")
        .values({ description: `Thing ${state.name}`, status: "initial", product_id: String(state.product), customer_id: "c1", insync: false })
        .returning("subscription_id")
        .executeTakeFirstOrThrow();
      return { subscription_id: row.subscription_id };
    }),
    storeProcessSubscription(),
  ),
);

export const modify_thing = modifyWorkflow(
  { initialInputForm: () => formPage({ description: z.string() }, { title: "Modify thing" }) },
  step("Update description", async (state, ctx) => {
    const db = await ctx.db();
    await db.updateTable("subscriptions").set({ description: String(state.description) }).where("subscription_id", "=", String(state.subscription_id)).execute();
  }),
);

export const terminate_thing = terminateWorkflow({}, step("Deprovision", () => ({ deprovisioned: true })));

// --- authorisation and API errors ---
const onlyAdmins = ({ user }: { user: unknown }) => user === "admin";
export const guarded = workflow(
  { target: Target.SYSTEM, authorizeCallback: onlyAdmins, retryAuthCallback: ({ user }) => user === "retrier" },
  init.chain(
    step("Plain", () => undefined),
    inputStep("Ask NOC", () => formPage({ ok: z.boolean() }), { resumeAuthCallback: ({ user }) => user === "noc" }),
    step("Retry guarded", () => undefined, { retryAuthCallback: ({ user }) => user === "ops" }),
    done,
  ),
);

export const api_down_task = task(
  {},
  step("Call API", () => {
    const error = new Error("503 Service Unavailable") as Error & { status: number };
    error.name = "ApiException";
    error.status = 503;
    throw error;
  }),
);

// --- the API's authorisation: callbacks get the token's user ({ name, claims }) ---
const named = (name: string) => ({ user }: { user: unknown }) => (user as { name?: string } | undefined)?.name === name;
export const api_guarded = workflow(
  { target: Target.SYSTEM, authorizeCallback: named("admin"), retryAuthCallback: named("retrier") },
  init.chain(
    step("Fail first", (state) => failFirst(`api-guarded-${state.process_id}`, 1, "not yet")),
    inputStep("Ask NOC", () => formPage({ ok: z.boolean() }), { resumeAuthCallback: named("noc") }),
    done,
  ),
);

/** Holds "Two" until the test opens the gate; `gateReached` resolves when a process is in it. */
let openGate: () => void = () => undefined;
let reached: () => void = () => undefined;
export let gateReached: Promise<void> = Promise.resolve();
export function closeGate(): () => void {
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  gateReached = new Promise<void>((resolve) => (reached = resolve));
  gatePassage = gate;
  return () => openGate();
}
let gatePassage: Promise<void> = Promise.resolve();
/** Tell the test a process is at the gate, and wait until it opens. */
async function atGate(): Promise<void> {
  reached();
  await gatePassage;
}
export const gated = task(
  {},
  begin.chain(
    step("One", async (_s, ctx) => {
      await logRun(ctx, "One");
    }),
    // no database use: its checkpoint is the step-only statement, which does not read the lock back
    step("Two", async () => {
      await atGate();
      return { two: true };
    }),
    step("Three", async (_s, ctx) => {
      await logRun(ctx, "Three");
    }),
  ),
);

/** Waits at the gate, then its last step writes to the database: the last checkpoint goes in that step's transaction. */
export const gated_then_log = workflow(
  { target: Target.SYSTEM },
  init.chain(
    step("Wait", async () => {
      await atGate();
      return { waited: true };
    }),
    step("Log", async (_s, ctx) => {
      await logRun(ctx, "Log");
    }),
  ),
);

/** Eight steps of STEADY_STEP_MS each, every run of a step logged in its transaction (the database fault test). */
export const STEADY_STEP_MS = 40;
export const steady = task(
  {},
  begin.chain(
    ...Array.from({ length: 8 }, (_, i) =>
      step(`Steady ${i + 1}`, async (_s, ctx) => {
        await new Promise((r) => setTimeout(r, STEADY_STEP_MS));
        await logRun(ctx, `Steady ${i + 1}`);
        return { [`s${i + 1}`]: i + 1 };
      }),
    ),
  ),
);

/** Characters each step of long_run adds to the state. */
export const LONG_RUN_VALUE_LENGTH = 200;
/** Steps of long_run between `Start` and `Done`. */
export const LONG_RUN_STEPS = 40;

/**
 * LONG_RUN_STEPS steps, step i adding `k<i>` (LONG_RUN_VALUE_LENGTH characters); step 10 removes k3, step 20 changes
 * k5, step 25 writes in its own transaction, step 33 fails once (the step-state storage test).
 */
export const long_run = workflow(
  { target: Target.SYSTEM },
  init.chain(
    ...Array.from({ length: LONG_RUN_STEPS }, (_, index) => {
      const i = index + 1;
      return step(`Long ${i}`, async (state, ctx) => {
        const added: Record<string, unknown> = { [`k${i}`]: `${i}:`.padEnd(LONG_RUN_VALUE_LENGTH, "x") };
        if (i === 10) added.__remove_keys = ["k3"];
        if (i === 20) added.k5 = "changed";
        if (i === 25) await logRun(ctx, "Long 25");
        if (i === 33) failFirst(`long-${state.process_id}`, 1, "once");
        return added;
      });
    }),
    done,
  ),
);

/** Milliseconds each step of `sleepy` awaits (an external call), from SLEEPY_STEP_MS; 20 by default. */
const sleepyStepMs = () => Number(process.env.SLEEPY_STEP_MS ?? 20);
/**
 * Five steps that each await SLEEPY_STEP_MS and log their run in the step's transaction (a step killed before its
 * checkpoint leaves no log row): the worker tests count the rows to find steps that ran twice.
 */
export const sleepy = task(
  {},
  begin.chain(
    ...["One", "Two", "Three", "Four", "Five"].map((name) =>
      step(name, async (_s, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, sleepyStepMs()));
        await logRun(ctx, name);
      }),
    ),
    done,
  ),
);
