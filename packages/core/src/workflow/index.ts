export * from "./status.js";
export {
  step,
  retryStep,
  inputStep,
  callbackStep,
  conditional,
  stepGroup,
  begin,
  init,
  done,
  abort,
  StepList,
  ProcessFailureError,
  InconsistentDataError,
  type Step,
  type StepFn,
  type StepResult,
  type StepContext,
  type StepOutcome,
  type StepOptions,
  type State,
  type Authorizer,
  type AuthContext,
  type ProcessControl,
  type CallbackStepOptions,
} from "./steps.js";
export {
  workflow,
  createWorkflow,
  modifyWorkflow,
  terminateWorkflow,
  validateWorkflow,
  reconcileWorkflow,
  task,
  allow,
  isWorkflow,
  type Workflow,
  type WorkflowOptions,
  type WrapperOptions,
  type RunPredicate,
  type Steps,
} from "./workflow.js";
export {
  storeProcessSubscription,
  subscriptionIdOf,
  unsync,
  unsyncUnchecked,
  resync,
  setStatus,
  refreshSubscriptionSearchIndex,
  refreshProcessSearchIndex,
} from "./builtin-steps.js";
export { LazyWorkflowInstance, ALL_WORKFLOWS, getWorkflow, setWorkflowRoot, workflowRoot } from "./registry.js";
export { WorkflowEngine, type EngineOptions, type ProcessEvent, type EngineStatus } from "./engine.js";
export { deepMerge, StepRunner, type StepStore, type RunHost, type StepTransaction } from "./step-runner.js";
export { InProcessExecutor, type Executor, type ExecutorStatus, type ProcessJob, type RunJob, type ClaimOutcome } from "./executor.js";
export { formDb, runWithFormContext } from "./form-context.js";
export { loadProcessRow, loadSteps, readGlobalLock, type StepRow } from "./process-store.js";
export { recoverState, type RecoveredState } from "./replay.js";
export { wrapCreateInitialInputForm, wrapModifyInitialInputForm } from "./initial-forms.js";
export * from "./errors.js";
export { effectiveAuthorizer, isAuthorized, AUTH_MESSAGES, type AuthAction } from "./authorization.js";
export { createEngine, assertWorkerDatabase, openProcessQueue } from "./create-engine.js";
export {
  listSchedules,
  getSchedule,
  createSchedule,
  updateSchedule,
  deleteSchedule,
  loadInitialSchedule,
  nextRunAfter,
  triggerText,
  validateSchedule,
  ScheduleValidationError,
  INITIAL_SCHEDULE,
  MIN_INTERVAL_SECONDS,
  MAX_INTERVAL_SECONDS,
  type Schedule,
  type ScheduleInput,
} from "./schedules.js";
export { Scheduler, SCHEDULER_USER, type SchedulerOptions } from "./scheduler.js";
export { ClusterEvents, CLUSTER_EVENTS_CHANNEL, type ClusterEvent } from "./cluster-events.js";
export { ProcessQueue, PROCESS_QUEUE, JOBS_CHANNEL, type ProcessJobData } from "./job-queue.js";
export { Worker, type WorkerOptions } from "./worker.js";
export { liveWorkers, WORKER_GONE_MS, type WorkerRow } from "./worker-rows.js";
export {
  subscriptionWorkflows,
  workflowBlockedReason,
  TARGET_DEFAULT_USABLE_MAP,
  WF_USABLE_MAP,
  WF_BLOCKED_BY_IN_USE_BY_SUBSCRIPTIONS,
  WF_USABLE_WHILE_OUT_OF_SYNC,
  TRANSLATIONS,
  type SubscriptionWorkflow,
  type SubscriptionWorkflows,
} from "./subscription-workflows.js";
