/** The shapes of the REST API's answers (snake_case, as on the wire). Only the fields the UI reads are typed. */

export type ProcessStatus =
  | "created"
  | "running"
  | "suspended"
  | "waiting"
  | "awaiting_callback"
  | "aborted"
  | "failed"
  | "api_unavailable"
  | "inconsistent_data"
  | "completed"
  | "resumed";

export type StepStatus =
  | "success"
  | "skipped"
  | "suspend"
  | "waiting"
  | "awaiting_callback"
  | "failed"
  | "abort"
  | "complete"
  | "pending";

export type SubscriptionStatus = "initial" | "active" | "migrating" | "disabled" | "terminated" | "provisioning";

export type Target = "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface ProductRef {
  product_id: string;
  name: string;
  tag: string;
  product_type: string;
  description?: string;
  status?: string;
}

export interface ProcessSubscriptionRef {
  subscription_id: string;
  description: string;
  status: SubscriptionStatus;
  product?: { name: string; tag: string };
}

export interface ProcessListItem {
  process_id: string;
  workflow_id?: string;
  workflow_name: string;
  workflow_target: Target | null;
  is_task: boolean;
  created_by: string | null;
  failed_reason: string | null;
  started_at: string;
  last_modified_at: string;
  last_status: ProcessStatus;
  last_step: string | null;
  assignee: string | null;
  note: string | null;
  product_id?: string | null;
  customer_id?: string | null;
  product: ProductRef | null;
  subscriptions: ProcessSubscriptionRef[];
}

export interface ProcessStep {
  step_id?: string | null;
  name: string;
  status: StepStatus;
  created_by?: string | null;
  started?: number | string | null;
  completed?: number | string | null;
  executed?: number | string | null;
  state?: JsonObject | null;
  state_delta?: JsonObject | null;
}

export interface ProcessDetail extends ProcessListItem {
  current_state: JsonObject | null;
  traceback: string | null;
  steps: ProcessStep[];
  form: JsonObject | null;
}

export interface StatusCounts {
  process_counts: Partial<Record<ProcessStatus, number>>;
  task_counts: Partial<Record<ProcessStatus, number>>;
}

export interface SubscriptionListItem {
  subscription_id: string;
  description: string;
  status: SubscriptionStatus;
  insync: boolean;
  product: ProductRef;
  customer_id: string;
  start_date: string | null;
  end_date: string | null;
  note: string | null;
  version?: number;
}

export interface SubscriptionProcessRef {
  process_id: string;
  workflow_name: string;
  workflow_target: Target | null;
  is_task: boolean;
  last_status: ProcessStatus;
  started_at: string;
  last_modified_at: string;
}

export interface SubscriptionDetail extends Omit<SubscriptionListItem, "product"> {
  product: ProductRef & { fixed_inputs?: { name: string; value: string }[] };
  customer_descriptions?: { customer_id: string; description: string }[];
  metadata?: JsonObject | null;
  processes?: SubscriptionProcessRef[];
}

export interface SubscriptionWorkflow {
  name: string;
  description: string;
  reason?: string;
  usable_when?: string[];
  status?: string;
  unterminated_in_use_by_subscriptions?: string[];
  unterminated_in_use_by_subscriptions_detail?: { subscription_id: string; subscription_description: string }[];
  [key: string]: unknown;
}

export interface SubscriptionWorkflows {
  reason?: string;
  create?: SubscriptionWorkflow[];
  modify?: SubscriptionWorkflow[];
  terminate?: SubscriptionWorkflow[];
  system?: SubscriptionWorkflow[];
  reconcile?: SubscriptionWorkflow[];
  validate?: SubscriptionWorkflow[];
  [key: string]: unknown;
}

export interface Product {
  product_id: string;
  name: string;
  description: string;
  product_type: string;
  status: string;
  tag: string;
  created_at: string;
  end_date: string | null;
  product_blocks: { product_block_id: string; name: string }[];
  fixed_inputs: { name: string; value: string }[];
  workflows: { workflow_id: string; name: string; target: Target; description: string | null }[];
}

export interface ProductBlock {
  product_block_id: string;
  name: string;
  description: string;
  tag: string | null;
  status: string;
  created_at: string;
  end_date: string | null;
  resource_types: { resource_type_id: string; resource_type: string; description: string | null }[];
  depends_on: { product_block_id: string; name: string }[];
}

export interface ResourceType {
  resource_type_id: string;
  resource_type: string;
  description: string | null;
  product_blocks: { product_block_id: string; name: string }[];
}

export interface Workflow {
  workflow_id: string;
  name: string;
  target: Target;
  is_task: boolean;
  description: string | null;
  created_at: string;
  steps?: { name: string }[];
  products: ProductRef[];
}

export interface WorkflowRegistration {
  name: string;
  in_code: boolean;
  in_database: boolean;
  target: Target | null;
  database_target: Target | null;
  is_task: boolean;
  description: string | null;
  product_types: string[];
  products: { product_id: string; name: string }[];
  problems: string[];
}

export interface EngineStatus {
  global_lock: boolean;
  global_status: "RUNNING" | "PAUSING" | "PAUSED";
  running_processes: number;
}

export interface WorkerStatus {
  executor_type: string;
  number_of_workers_online: number;
  number_of_queued_jobs: number;
  number_of_running_jobs: number;
}

/** A field error of a 400 "Form not valid" answer. */
export interface ValidationError {
  loc: (string | number)[];
  msg: string;
  type?: string;
}
