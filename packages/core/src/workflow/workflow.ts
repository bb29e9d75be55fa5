/**
 * Workflows: a step list with a target, an initial input form and authorisation callbacks. `workflow` takes the steps
 * as given; the wrappers add orchestrator-core's default steps around yours (see each one).
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import type { InputForm } from "../forms/index.js";
import { Target } from "../targets.js";
import {
  refreshProcessSearchIndex,
  refreshSubscriptionSearchIndex,
  resync,
  setStatus,
  storeProcessSubscription,
  unsync,
  unsyncUnchecked,
} from "./builtin-steps.js";
import { wrapCreateInitialInputForm, wrapModifyInitialInputForm } from "./initial-forms.js";
import { begin, done, init, StepList, type Authorizer, type Step } from "./steps.js";

/** A run predicate decides whether a workflow may start now; a string is the reason it may not. */
export type RunPredicate = (context: { workflowName: string; db: Kysely<Database> }) => true | string | Promise<true | string>;

export interface Workflow {
  /** The registered name (set by the registry; the key of the workflow in the database). */
  name: string;
  readonly target: Target;
  readonly steps: StepList;
  readonly initialInputForm?: InputForm;
  readonly authorizeCallback: Authorizer;
  readonly retryAuthCallback: Authorizer;
  readonly runPredicate?: RunPredicate;
  /** Description in code (the database's description is the one shown; this is for generators). */
  readonly description?: string;
  /**
   * The subscription the form names (`subscription_id`) is locked — set out of sync — by the statement that creates
   * the process, and the start is refused when it is out of sync already; so two processes never both hold it and a
   * process never fails for losing that race. Set by the modify, terminate and validate wrappers.
   */
  readonly locksSubscription?: boolean;
  /** Marks an object as a workflow for the registry's checks. */
  readonly isWorkflow: true;
}

export interface WorkflowOptions {
  target?: Target;
  description?: string;
  initialInputForm?: InputForm;
  authorizeCallback?: Authorizer;
  retryAuthCallback?: Authorizer;
  runPredicate?: RunPredicate;
  /** See Workflow.locksSubscription. */
  locksSubscription?: boolean;
}

export const allow: Authorizer = () => true;

export type Steps = StepList | Step | (() => StepList | Step);

function toStepList(steps: Steps): StepList {
  const value = typeof steps === "function" && !("run" in steps) ? steps() : steps;
  if (value instanceof StepList) return value;
  return begin.chain(value as Step);
}

/** A workflow of exactly these steps (add `init` and `done` yourself). Target SYSTEM unless given. */
export function workflow(options: WorkflowOptions, steps: Steps): Workflow {
  const target = options.target ?? Target.SYSTEM;
  if (!Object.values(Target).includes(target)) {
    throw new OrchestratorError("invalid_workflow", `Unknown target ${JSON.stringify(target)}; expected one of ${Object.values(Target).join(", ")}`);
  }
  const authorizeCallback = options.authorizeCallback ?? allow;
  const list = toStepList(steps);
  return {
    name: "",
    target,
    steps: list,
    initialInputForm: options.initialInputForm,
    authorizeCallback,
    retryAuthCallback: options.retryAuthCallback ?? authorizeCallback,
    runPredicate: options.runPredicate,
    description: options.description,
    // a workflow with the checked "Lock subscription" step takes the lock when its process is created
    locksSubscription: options.locksSubscription ?? list.steps.includes(unsync),
    isWorkflow: true,
  };
}

export interface WrapperOptions extends Omit<WorkflowOptions, "target"> {
  /** Steps appended after yours (before the closing default steps). */
  additionalSteps?: StepList;
}

/**
 * A create workflow: `Start, <your steps>, Set subscription to '<status>', Unlock subscription, Refresh subscription
 * search index, Refresh process search index, Done`. Its form starts with a page choosing the product. Your steps
 * create the subscription and call `storeProcessSubscription()`.
 */
export function createWorkflow(options: WrapperOptions & { status?: string }, steps: Steps): Workflow {
  return workflow(
    { ...options, target: Target.CREATE, initialInputForm: wrapCreateInitialInputForm(options.initialInputForm) },
    init.chain(
      toStepList(steps),
      options.additionalSteps ?? begin,
      setStatus(options.status ?? "active"),
      resync,
      refreshSubscriptionSearchIndex,
      refreshProcessSearchIndex,
      done,
    ),
  );
}

/**
 * The shape modify, terminate and reconcile share: `Start, Create Process Subscription relation, Lock subscription,
 * <your steps>, <additional steps>, <before unlock>, Unlock subscription, Refresh subscription search index, Refresh
 * process search index, Done`, with the subscription as the form's first page.
 */
function subscriptionWorkflow(
  target: Target,
  lock: Step,
  options: WrapperOptions,
  steps: Steps,
  beforeUnlock: StepList = begin,
): Workflow {
  return workflow(
    {
      ...options,
      target,
      initialInputForm: wrapModifyInitialInputForm(options.initialInputForm, target),
    },
    init.chain(
      storeProcessSubscription(),
      lock,
      toStepList(steps),
      options.additionalSteps ?? begin,
      beforeUnlock,
      resync,
      refreshSubscriptionSearchIndex,
      refreshProcessSearchIndex,
      done,
    ),
  );
}

/**
 * A modify workflow: `Start, Create Process Subscription relation, Lock subscription, <your steps>, Unlock
 * subscription, Refresh subscription search index, Refresh process search index, Done`. Its form starts with the
 * subscription.
 */
export function modifyWorkflow(options: WrapperOptions, steps: Steps): Workflow {
  return subscriptionWorkflow(Target.MODIFY, unsync, options, steps);
}

/** A terminate workflow: like modify, with `Set subscription to 'terminated'` before `Unlock subscription`. */
export function terminateWorkflow(options: WrapperOptions, steps: Steps): Workflow {
  return subscriptionWorkflow(Target.TERMINATE, unsync, options, steps, begin.chain(setStatus("terminated")));
}

/**
 * A validate workflow (no user form): `Start, Create Process Subscription relation, Lock subscription, <your steps>,
 * Unlock subscription, Done`. A failing check leaves the subscription out of sync until a retry succeeds.
 */
export function validateWorkflow(options: Omit<WrapperOptions, "initialInputForm" | "additionalSteps">, steps: Steps): Workflow {
  return workflow(
    { ...options, target: Target.VALIDATE, initialInputForm: wrapModifyInitialInputForm(undefined, Target.VALIDATE), locksSubscription: true },
    init.chain(storeProcessSubscription(), unsyncUnchecked, toStepList(steps), resync, done),
  );
}

/** A reconcile workflow: like modify without the in-sync check and without a user form. */
export function reconcileWorkflow(options: Omit<WrapperOptions, "initialInputForm">, steps: Steps): Workflow {
  return subscriptionWorkflow(Target.RECONCILE, unsyncUnchecked, { ...options, initialInputForm: undefined }, steps);
}

/** A task (target SYSTEM): `Start, <your steps>, Done`. */
export function task(options: WrapperOptions, steps: Steps): Workflow {
  return workflow({ ...options, target: Target.SYSTEM }, init.chain(toStepList(steps), options.additionalSteps ?? begin, done));
}

export function isWorkflow(value: unknown): value is Workflow {
  return typeof value === "object" && value !== null && (value as Workflow).isWorkflow === true && (value as Workflow).steps instanceof StepList;
}
