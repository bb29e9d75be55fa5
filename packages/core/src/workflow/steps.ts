/**
 * Steps and step lists. A step is a named function of the state: it receives the state and returns the keys it adds
 * or changes. Step lists are immutable and chained with `.chain(…)` (there is deliberately no `then`, which would make
 * a step list look like a promise to `await`).
 */
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { isDatabaseConnectionError, type Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import type { InputForm } from "../forms/index.js";
import { SUBSCRIPTION_MODEL_REGISTRY, isSubscriptionModel, saveSubscription } from "../domain/index.js";
import { Assignee, StepStatus } from "./status.js";

export type State = Record<string, unknown>;

/** What a step function may return: the keys it adds or changes, or nothing. */
export type StepResult = State | void | undefined | null;

/** Authorisation callback: may the user (undefined when auth is off) do this? */
export type Authorizer = (context: AuthContext) => boolean | Promise<boolean>;
export interface AuthContext {
  user: unknown;
  workflowName: string;
  stepName?: string;
  action: "start_workflow" | "resume_workflow" | "retry_workflow";
}

/** What a step may ask of the engine (tasks that start or resume other processes). */
export interface ProcessControl {
  startProcess(workflowName: string, userInputs?: unknown[], user?: string): Promise<string>;
  resumeProcess(processId: string, userInputs?: unknown[], user?: string): Promise<void>;
  failAwaitingProcess(processId: string, reason?: string): Promise<void>;
  /** Take over processes left running, resumed or created by an engine that is gone; returns their ids. */
  recover(): Promise<string[]>;
}

/** What the engine gives a step besides the state. */
export interface StepContext {
  /** Start, resume or fail other processes. */
  readonly engine: ProcessControl;
  readonly processId: string;
  readonly workflowName: string;
  /** Who started or resumed the process. */
  readonly user: string;
  /**
   * The step's database transaction, opened on first use. Everything the step writes through it commits together
   * with the step's checkpoint, or not at all when the step fails.
   */
  db(): Promise<Kysely<Database>>;
  /** Persist an intermediate result of a step group (replacing the group's last row). */
  checkpoint?(name: string, outcome: StepOutcome): Promise<void>;
}

/** The result of running one step: a status and the state after it. */
export interface StepOutcome {
  status: StepStatus;
  state: State;
}

export type StepFn = (state: State, ctx: StepContext) => StepResult | Promise<StepResult>;

export interface StepOptions {
  assignee?: Assignee;
  /** Who may retry this step when it failed (default: the workflow's retry callback). */
  retryAuthCallback?: Authorizer;
  /** Who may resume this step when it is suspended. */
  resumeAuthCallback?: Authorizer;
}

/** One step of a workflow. Build steps with `step`, `retryStep`, `inputStep`, `conditional`, `stepGroup`, … */
export interface Step {
  readonly name: string;
  readonly assignee: Assignee;
  /** The form shown when the process is suspended at this step (input steps, step groups starting with one). */
  readonly form?: InputForm;
  readonly retryAuthCallback?: Authorizer;
  readonly resumeAuthCallback?: Authorizer;
  /** True for steps that keep running sub-steps on resume (step groups). */
  readonly isGroup?: boolean;
  /** Run the step. Never throws: failures are outcomes. */
  run(state: State, ctx: StepContext): Promise<StepOutcome>;
  /**
   * Set for a step without effects (Start, Done, Abort): its outcome from the state alone, the same as `run`'s. Running
   * it again after a crash changes nothing, so its row needs no statement of its own: it is written with the next
   * step's checkpoint, or (at the end of a workflow) with the previous one (StepRunner.runSteps).
   */
  readonly pure?: (state: State) => StepOutcome;
}

/** The serialisable description of an error, stored as a failed step's state (traceback kept separately). */
export interface ErrorState extends State {
  class: string;
  error: string;
  traceback?: string;
  details?: unknown;
  status_code?: number;
}

/** Raise this from a step to fail the process with extra details stored in the step's state. */
export class ProcessFailureError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ProcessFailureError";
  }
}

/** Raise this from a task's step when the data it checks is inconsistent (process status `inconsistent_data`). */
export class InconsistentDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InconsistentData";
  }
}

export function errorState(error: unknown): ErrorState {
  if (error instanceof Error) {
    const result: ErrorState = {
      class: error.name === "Error" ? error.constructor.name : error.name,
      error: error.message,
      traceback: error.stack ?? `${error.name}: ${error.message}`,
    };
    if (error instanceof ProcessFailureError && error.details !== undefined) result.details = error.details;
    const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === "number") result.status_code = status;
    return result;
  }
  return { class: typeof error, error: String(error), traceback: String(error) };
}

/** Merge a step's result into the state (shallow; returned keys win). */
export function mergeState(state: State, result: StepResult): State {
  if (result === undefined || result === null) return state;
  if (typeof result !== "object" || Array.isArray(result)) {
    throw new TypeError(`A step must return an object with the state keys it adds or changes, not ${Array.isArray(result) ? "an array" : typeof result}`);
  }
  return { ...state, ...result };
}

/**
 * Subscription models a step returns (at the top level, or inside objects and lists) are saved in the step's
 * transaction, like the original's step decorator does; only products in the SUBSCRIPTION_MODEL_REGISTRY.
 */
async function saveReturnedModels(result: StepResult, ctx: StepContext): Promise<void> {
  if (!result || typeof result !== "object") return;
  const seen = new Set<object>();
  const visit = async (value: unknown, depth: number): Promise<void> => {
    if (depth > 4 || typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (isSubscriptionModel(value)) {
      if (SUBSCRIPTION_MODEL_REGISTRY.has(value.product.name)) await saveSubscription(await ctx.db(), value);
      return;
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) await visit(item, depth + 1);
  };
  for (const value of Object.values(result)) await visit(value, 0);
}

function makeStep(name: string, fn: StepFn, onError: StepStatus, options: StepOptions = {}): Step {
  if (typeof name !== "string" || !name.trim()) throw new OrchestratorError("invalid_step", "A step needs a name");
  if (typeof fn !== "function") throw new OrchestratorError("invalid_step", `Step "${name}" needs a function`);
  return {
    name,
    assignee: options.assignee ?? Assignee.SYSTEM,
    retryAuthCallback: options.retryAuthCallback,
    resumeAuthCallback: options.resumeAuthCallback,
    async run(state, ctx) {
      try {
        const result = await fn(state, ctx);
        await saveReturnedModels(result, ctx);
        return { status: StepStatus.SUCCESS, state: mergeState(state, result) };
      } catch (error) {
        // the database went away under the step: its transaction is lost, not its logic at fault; the engine leaves
        // the process to recovery, which runs the step again
        if (isDatabaseConnectionError(error)) throw error;
        return { status: onError, state: errorState(error) };
      }
    },
  };
}

/** A step: `fn` gets the state and returns the keys it adds or changes. An exception fails the process. */
export function step(name: string, fn: StepFn, options?: StepOptions): Step {
  return makeStep(name, fn, StepStatus.FAILED, options);
}

/** Like `step`, but an exception puts the process in `waiting`, to be retried later (task_resume_workflows). */
export function retryStep(name: string, fn: StepFn, options?: StepOptions): Step {
  return makeStep(name, fn, StepStatus.WAITING, options);
}

/**
 * A step that suspends the process until a user submits `form`; the submitted values are merged into the state
 * when the process is resumed.
 */
export function inputStep(name: string, form: InputForm, options: StepOptions = {}): Step {
  return {
    name,
    form,
    assignee: options.assignee ?? Assignee.SYSTEM,
    retryAuthCallback: options.retryAuthCallback,
    resumeAuthCallback: options.resumeAuthCallback,
    async run(state) {
      return { status: StepStatus.SUSPEND, state };
    },
  };
}

function pureStep(name: string, status: StepStatus): StepList {
  const outcome = (state: State): StepOutcome => ({ status, state });
  return new StepList([{ name, assignee: Assignee.SYSTEM, pure: outcome, run: async (state) => outcome(state) }]);
}

function isStep(value: unknown): value is Step {
  return typeof value === "object" && value !== null && typeof (value as Step).run === "function" && typeof (value as Step).name === "string";
}

function describeValue(value: unknown): string {
  if (typeof value === "function") return `a function named ${value.name || "(anonymous)"}; did you forget to call step(name, fn)?`;
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array; spread it or use new StepList([...])";
  return typeof value === "object" ? `an object (${Object.keys(value as object).join(", ")})` : `${typeof value} ${JSON.stringify(value)}`;
}

/** An immutable list of steps. `a.chain(b, c)` is a new list with b and c (steps or lists) appended. */
export class StepList implements Iterable<Step> {
  readonly steps: readonly Step[];

  constructor(steps: Iterable<Step> = []) {
    const list = [...steps];
    list.forEach((s, i) => {
      if (!isStep(s)) throw new OrchestratorError("invalid_step", `Expected a step or step list, got ${describeValue(s)} at position ${i}`);
    });
    this.steps = list;
  }

  /** Append steps and step lists. Anything else is an error naming what was given. */
  chain(...items: (Step | StepList)[]): StepList {
    const next = [...this.steps];
    for (const item of items) {
      if (item instanceof StepList) next.push(...item.steps);
      else if (isStep(item)) next.push(item);
      else throw new OrchestratorError("invalid_step", `Expected a step or step list, got ${describeValue(item)}`);
    }
    return new StepList(next);
  }

  get length(): number {
    return this.steps.length;
  }

  get names(): string[] {
    return this.steps.map((s) => s.name);
  }

  slice(start?: number, end?: number): StepList {
    return new StepList(this.steps.slice(start, end));
  }

  map(fn: (step: Step) => Step): StepList {
    return new StepList(this.steps.map(fn));
  }

  [Symbol.iterator](): Iterator<Step> {
    return this.steps[Symbol.iterator]();
  }

  toString(): string {
    return `StepList [${this.names.join(", ")}]`;
  }
}

/** The empty list to chain from: `begin.chain(a, b)`. */
export const begin = new StepList();
/** "Start": the first step of every wrapped workflow. */
export const init = pureStep("Start", StepStatus.SUCCESS);
/** "Done": completes the process. */
export const done = pureStep("Done", StepStatus.COMPLETE);
/** "Abort": aborts the process. */
export const abort = pureStep("Abort", StepStatus.ABORT);

/** `conditional(pred)(steps)`: the steps run only when `pred(state)` holds; otherwise they are logged as skipped. */
export function conditional(predicate: (state: State) => boolean): (steps: Step | StepList) => StepList {
  return (steps) =>
    new StepList(
      (steps instanceof StepList ? steps.steps : [steps]).map(
        (s): Step => {
          const pure = s.pure;
          return {
            ...s,
            async run(state, ctx) {
              if (!predicate(state)) return { status: StepStatus.SKIPPED, state };
              return s.run(state, ctx);
            },
            pure: pure && ((state) => (predicate(state) ? pure(state) : { status: StepStatus.SKIPPED, state })),
          };
        },
      ),
    );
}

/** Internal state keys a step group uses to remember its progress. */
export const SUB_STEP_KEY = "__sub_step";
export const STEP_GROUP_KEY = "__step_group";

/**
 * Several steps shown and stored as one step named `name`: each sub-step's result replaces the group's row, and a
 * resumed group continues after the last sub-step that completed. The group's form is that of its first sub-step.
 */
export function stepGroup(name: string, steps: StepList | Step[], options: StepOptions = {}): Step {
  const subSteps = steps instanceof StepList ? steps.steps : new StepList(steps).steps;
  if (subSteps.length === 0) throw new OrchestratorError("invalid_step", `Step group "${name}" has no steps`);
  return {
    name,
    isGroup: true,
    assignee: options.assignee ?? subSteps[0]!.assignee,
    form: subSteps[0]!.form,
    retryAuthCallback: options.retryAuthCallback,
    resumeAuthCallback: options.resumeAuthCallback,
    async run(state, ctx) {
      const done = typeof state[SUB_STEP_KEY] === "string" ? subSteps.findIndex((s) => s.name === state[SUB_STEP_KEY]) : -1;
      let current: State = { ...state, [STEP_GROUP_KEY]: name };
      for (let i = done + 1; i < subSteps.length; i++) {
        const sub = subSteps[i]!;
        const outcome = await sub.run(current, ctx);
        if (outcome.status === StepStatus.FAILED || outcome.status === StepStatus.WAITING) return outcome;
        current = { ...outcome.state, [SUB_STEP_KEY]: sub.name, [STEP_GROUP_KEY]: name };
        if (outcome.status !== StepStatus.SUCCESS && outcome.status !== StepStatus.SKIPPED) {
          return { status: outcome.status, state: current };
        }
        if (i < subSteps.length - 1) await ctx.checkpoint?.(name, { status: StepStatus.SUCCESS, state: current });
      }
      const { [SUB_STEP_KEY]: _s, [STEP_GROUP_KEY]: _g, ...rest } = current;
      return { status: StepStatus.SUCCESS, state: rest };
    },
  };
}

export interface CallbackStepOptions {
  /** State key the callback's data is stored under (default "callback_result"). */
  resultKey?: string;
  /** State key of the callback route (default "callback_route"). */
  callbackRouteKey?: string;
  /** Seconds after which task_validate_awaiting_callbacks fails the process. */
  timeout?: number;
}

/**
 * A step that hands work to an external system and waits for it to call back:
 * "<name> - Create endpoint" puts `callback_route` (`/api/processes/{id}/callback/{token}`) in the state, then
 * `action` runs (it passes the route to the external system), "<name> - Await callback" suspends the process in
 * `awaiting_callback` until the route is called, then `validate` checks the result, and
 * "<name> - Cleanup callback step" removes the token.
 */
export function callbackStep(name: string, action: Step, validate: Step, options: CallbackStepOptions = {}): Step {
  const routeKey = options.callbackRouteKey ?? "callback_route";
  const createEndpoint = step(`${name} - Create endpoint`, (_state, ctx) => {
    const token = randomBytes(24).toString("base64url");
    return { [routeKey]: `/api/processes/${ctx.processId}/callback/${token}`, __callback_token: token };
  });
  const awaitCallback: Step = {
    name: `${name} - Await callback`,
    assignee: Assignee.SYSTEM,
    async run(state) {
      return {
        status: StepStatus.AWAITING_CALLBACK,
        state: {
          ...state,
          ...(options.resultKey ? { __callback_result_key: options.resultKey } : {}),
          ...(options.timeout !== undefined ? { __callback_timeout: options.timeout } : {}),
        },
      };
    },
  };
  const cleanup = step(`${name} - Cleanup callback step`, () => ({ __remove_keys: ["__callback_token", "__callback_result_key", "__callback_timeout"] }));
  return stepGroup(name, [createEndpoint, action, awaitCallback, validate, cleanup]);
}
