/**
 * The workflows orchestrator-core ships, registered in code like an app's. Each is given as a loader (an `import()`
 * the module system resolves), so the registration does not depend on where the files lie; the label names the
 * module in the registration view. Their database rows come from the core schema revision "Add the core workflows".
 */
import { LazyWorkflowInstance } from "../workflow/index.js";

const CORE = "@orchestrator-ts/core/workflows";
new LazyWorkflowInstance(`${CORE}/modify_note`, "modify_note", () => import("./modify_note.js"));
new LazyWorkflowInstance(`${CORE}/tasks/cleanup_tasks_log`, "task_clean_up_tasks", () => import("./tasks/cleanup_tasks_log.js"));
new LazyWorkflowInstance(`${CORE}/tasks/resume_workflows`, "task_resume_workflows", () => import("./tasks/resume_workflows.js"));
new LazyWorkflowInstance(
  `${CORE}/tasks/validate_awaiting_callbacks`,
  "task_validate_awaiting_callbacks",
  () => import("./tasks/validate_awaiting_callbacks.js"),
);
new LazyWorkflowInstance(`${CORE}/tasks/validate_products`, "task_validate_products", () => import("./tasks/validate_products.js"));
new LazyWorkflowInstance(`${CORE}/tasks/validate_subscriptions`, "task_validate_product_type", () => import("./tasks/validate_subscriptions.js"));
new LazyWorkflowInstance(`${CORE}/tasks/validate_subscriptions`, "task_validate_subscriptions", () => import("./tasks/validate_subscriptions.js"));

export {
  checkRegistration,
  diffWorkflowRegistration,
  type RegistrationCheckOptions,
  type RegistrationProblem,
  type RegistrationProblemKind,
  type RegistrationReport,
  type WorkflowRegistrationDiff,
  type WorkflowRegistrationRow,
} from "./registration.js";
export { noUncompletedInstance } from "./predicates.js";
