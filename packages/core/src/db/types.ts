/**
 * Kysely types of every orchestrator table, as created by the core `schema` revisions. Column names follow
 * orchestrator-core's database (snake_case, legacy names such as `processes.pid` and `process_steps.stepid` kept).
 */
import type { ColumnType, Generated, JSONColumnType } from "kysely";

/** A `timestamptz`: read as a Date; written as a Date or ISO string; defaulted by the database when generated. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type GeneratedUuid = Generated<string>;
export type JsonObject = { [key: string]: unknown };

export interface ProductsTable {
  product_id: GeneratedUuid;
  name: string;
  description: string;
  product_type: string;
  tag: string;
  status: string;
  created_at: GeneratedTimestamp;
  end_date: Timestamp | null;
}

export interface FixedInputsTable {
  fixed_input_id: GeneratedUuid;
  name: string;
  value: string;
  created_at: GeneratedTimestamp;
  product_id: string;
}

export interface ProductBlocksTable {
  product_block_id: GeneratedUuid;
  name: string;
  description: string;
  tag: string | null;
  status: string | null;
  created_at: GeneratedTimestamp;
  end_date: Timestamp | null;
}

export interface ResourceTypesTable {
  resource_type_id: GeneratedUuid;
  resource_type: string;
  description: string | null;
}

export interface ProductProductBlocksTable {
  product_id: string;
  product_block_id: string;
}

export interface ProductBlockResourceTypesTable {
  product_block_id: string;
  resource_type_id: string;
}

export interface ProductBlockRelationsTable {
  in_use_by_id: string;
  depends_on_id: string;
  min: number | null;
  max: number | null;
}

export interface WorkflowsTable {
  workflow_id: GeneratedUuid;
  name: string;
  /** A Target value: CREATE, MODIFY, TERMINATE, SYSTEM, VALIDATE or RECONCILE. */
  target: string;
  description: string;
  created_at: GeneratedTimestamp;
  /** Soft delete: rows with a deleted_at are hidden from listings. */
  deleted_at: Timestamp | null;
  is_task: Generated<boolean>;
}

export interface ProductsWorkflowsTable {
  product_id: string;
  workflow_id: string;
}

export interface ProcessesTable {
  pid: GeneratedUuid;
  workflow_id: string;
  assignee: Generated<string>;
  /** A ProcessStatus value. */
  last_status: string;
  last_step: string | null;
  started_at: GeneratedTimestamp;
  last_modified_at: GeneratedTimestamp;
  failed_reason: string | null;
  traceback: string | null;
  created_by: string | null;
  is_task: Generated<boolean>;
  note: string | null;
}

export interface ProcessStepsTable {
  stepid: GeneratedUuid;
  pid: string;
  name: string;
  /** A StepStatus value. */
  status: string;
  state: JSONColumnType<JsonObject, JsonObject | string, JsonObject | string>;
  created_by: string | null;
  completed_at: GeneratedTimestamp;
  started_at: GeneratedTimestamp;
  commit_hash: string | null;
  /** Whether `state` holds only what changed since the row before (see step-states.ts). */
  is_delta: Generated<boolean>;
  /** The order the rows were written in (a row updated in place takes a new number): steps are read in this order. */
  seq: Generated<string>;
}

export interface ProcessesSubscriptionsTable {
  id: GeneratedUuid;
  pid: string;
  subscription_id: string;
  created_at: GeneratedTimestamp;
  /** Deprecated in the original; kept nullable. */
  workflow_target: string | null;
}

export type InputType = "user_input" | "initial_state";

export interface InputStatesTable {
  input_state_id: GeneratedUuid;
  pid: string;
  input_state: JSONColumnType<JsonObject, JsonObject | string, JsonObject | string>;
  input_time: GeneratedTimestamp;
  input_type: InputType;
}

export interface EngineSettingsTable {
  global_lock: Generated<boolean>;
}

export interface SubscriptionsTable {
  subscription_id: GeneratedUuid;
  description: string;
  /** A SubscriptionLifecycle value. */
  status: string;
  product_id: string;
  customer_id: string;
  insync: boolean;
  start_date: Timestamp | null;
  end_date: Timestamp | null;
  note: string | null;
  /** Incremented by a trigger on every update. */
  version: Generated<number>;
}

export interface SubscriptionInstancesTable {
  subscription_instance_id: GeneratedUuid;
  subscription_id: string;
  product_block_id: string;
  label: string | null;
}

export interface SubscriptionInstanceValuesTable {
  subscription_instance_value_id: GeneratedUuid;
  subscription_instance_id: string;
  resource_type_id: string;
  value: string;
}

export interface SubscriptionInstanceRelationsTable {
  in_use_by_id: string;
  depends_on_id: string;
  order_id: number;
  domain_model_attr: string | null;
}

export interface SubscriptionCustomerDescriptionsTable {
  id: GeneratedUuid;
  subscription_id: string;
  customer_id: string;
  description: string;
  created_at: GeneratedTimestamp;
  version: Generated<number>;
}

export interface SubscriptionMetadataTable {
  subscription_id: string;
  metadata: JSONColumnType<JsonObject, JsonObject | string, JsonObject | string>;
}

/** A worker process of EXECUTOR=worker, kept fresh by its heartbeat. */
export interface EngineWorkersTable {
  worker_id: string;
  hostname: string;
  os_pid: number;
  capacity: number;
  running: Generated<number>;
  started_at: GeneratedTimestamp;
  heartbeat_at: GeneratedTimestamp;
}

/** A scheduled start of a task or workflow (scheduler). */
export interface SchedulesTable {
  schedule_id: GeneratedUuid;
  name: string;
  workflow_name: string;
  trigger: "cron" | "interval";
  cron: string | null;
  interval_seconds: number | null;
  user_inputs: JSONColumnType<unknown[], string, string>;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_result: string | null;
  last_process_id: string | null;
  created_at: GeneratedTimestamp;
}

/** The applied migration heads, one row per head. */
export interface AlembicVersionTable {
  version_num: string;
}

export interface Database {
  products: ProductsTable;
  fixed_inputs: FixedInputsTable;
  product_blocks: ProductBlocksTable;
  resource_types: ResourceTypesTable;
  product_product_blocks: ProductProductBlocksTable;
  product_block_resource_types: ProductBlockResourceTypesTable;
  product_block_relations: ProductBlockRelationsTable;
  workflows: WorkflowsTable;
  products_workflows: ProductsWorkflowsTable;
  processes: ProcessesTable;
  process_steps: ProcessStepsTable;
  processes_subscriptions: ProcessesSubscriptionsTable;
  input_states: InputStatesTable;
  engine_settings: EngineSettingsTable;
  subscriptions: SubscriptionsTable;
  subscription_instances: SubscriptionInstancesTable;
  subscription_instance_values: SubscriptionInstanceValuesTable;
  subscription_instance_relations: SubscriptionInstanceRelationsTable;
  subscription_customer_descriptions: SubscriptionCustomerDescriptionsTable;
  subscription_metadata: SubscriptionMetadataTable;
  engine_workers: EngineWorkersTable;
  schedules: SchedulesTable;
  alembic_version: AlembicVersionTable;
}

/** Every table of the core schema (the version table excluded), in creation order. */
export const CORE_TABLES = [
  "engine_settings",
  "products",
  "fixed_inputs",
  "product_blocks",
  "resource_types",
  "product_product_blocks",
  "product_block_resource_types",
  "product_block_relations",
  "workflows",
  "products_workflows",
  "processes",
  "process_steps",
  "subscriptions",
  "processes_subscriptions",
  "input_states",
  "subscription_instances",
  "subscription_instance_values",
  "subscription_instance_relations",
  "subscription_customer_descriptions",
  "subscription_metadata",
  "engine_workers",
  "schedules",
] as const satisfies readonly (keyof Database)[];
