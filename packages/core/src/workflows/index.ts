/**
 * The workflows orchestrator-core ships, registered in code like an app's (module names starting with "." are
 * relative to this folder). Their database rows come from the core schema revision "Add the core workflows".
 */
import { LazyWorkflowInstance } from "../workflow/registry.js";

new LazyWorkflowInstance(".modify_note", "modify_note");
new LazyWorkflowInstance(".tasks.cleanup_tasks_log", "task_clean_up_tasks");
new LazyWorkflowInstance(".tasks.resume_workflows", "task_resume_workflows");
new LazyWorkflowInstance(".tasks.validate_awaiting_callbacks", "task_validate_awaiting_callbacks");
new LazyWorkflowInstance(".tasks.validate_products", "task_validate_products");
new LazyWorkflowInstance(".tasks.validate_subscriptions", "task_validate_product_type");
new LazyWorkflowInstance(".tasks.validate_subscriptions", "task_validate_subscriptions");

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
