/**
 * Zod schemas of the REST API's answers. Routes declare them as `response`, so that the OpenAPI document describes
 * each answer (the web UI's types are generated from it: packages/ui/scripts/api-types.ts) and the serializer
 * checks every answer against it.
 *
 * They describe the JSON exactly as the routes have always sent it: a field missing here would be dropped from the
 * answer, so every field the queries select is listed. Timestamps read from a column are `Date`s (sent as ISO
 * strings); those built by `json_build_object` in SQL are already strings.
 */
import { z } from "zod";
import { SubscriptionLifecycle } from "../domain/index.js";
import { Target } from "../targets.js";
import { ProcessStatus, StepStatus } from "../workflow/index.js";

const timestamp = z.date();
const jsonObject = z.record(z.string(), z.unknown());

export const processStatusSchema = z.enum(ProcessStatus);
/** A step's stored status, or "pending" for a step still to come. */
export const stepStatusSchema = z.enum({ ...StepStatus, PENDING: "pending" });
export const subscriptionStatusSchema = z.enum(SubscriptionLifecycle);
export const targetSchema = z.enum(Target);

/** A product as the lists show it (built in SQL: its timestamps are strings). */
export const productRefSchema = z
  .object({
    product_id: z.string(),
    name: z.string(),
    description: z.string(),
    product_type: z.string(),
    tag: z.string(),
    status: z.string(),
    created_at: z.string(),
    end_date: z.string().nullable(),
  });

const subscriptionFields = {
  subscription_id: z.string(),
  description: z.string(),
  status: subscriptionStatusSchema,
  insync: z.boolean(),
  customer_id: z.string(),
  start_date: timestamp.nullable(),
  end_date: timestamp.nullable(),
  note: z.string().nullable(),
  version: z.number(),
  product_id: z.string(),
};

/** A subscription a process runs on: the subscription's fields but its version and product id, and its product. */
const { version: _version, product_id: _productId, ...processSubscriptionFields } = subscriptionFields;
export const processSubscriptionRefSchema = z.object({
  workflow_target: z.string().nullable(),
  ...processSubscriptionFields,
  product: z.object({ product_id: z.string(), name: z.string(), tag: z.string(), product_type: z.string() }),
});

const processFields = {
  process_id: z.string(),
  workflow_id: z.string(),
  workflow_name: z.string(),
  workflow_target: targetSchema,
  is_task: z.boolean(),
  created_by: z.string().nullable(),
  failed_reason: z.string().nullable(),
  started_at: timestamp,
  last_modified_at: timestamp,
  last_status: processStatusSchema,
  last_step: z.string().nullable(),
  assignee: z.string(),
  note: z.string().nullable(),
  product_id: z.string().nullable().describe("The product of the process's first subscription"),
  customer_id: z.string().nullable().describe("The customer of the process's first subscription"),
  product: productRefSchema.nullable(),
  subscriptions: z.array(processSubscriptionRefSchema),
};

/** A row of `GET /processes`. */
export const processListItemSchema = z.object(processFields);

/** A step of a process: executed ones with their state; the steps still to come only with name and "pending". */
export const processStepSchema = z
  .object({
    step_id: z.string().optional(),
    stepid: z.string().optional(),
    name: z.string(),
    status: stepStatusSchema,
    created_by: z.string().nullable().optional(),
    executed: z.number().nullable().optional().describe("Seconds since the epoch"),
    started: z.number().nullable().optional().describe("Seconds since the epoch"),
    completed: z.number().nullable().optional().describe("Seconds since the epoch"),
    state: jsonObject.optional(),
    state_delta: jsonObject.optional().describe("The keys that changed from the previous step's state"),
  });

/** `GET /processes/{process_id}`: orchestrator-core's ProcessSchema. */
export const processDetailSchema = z
  .object({
    ...processFields,
    traceback: z.string().nullable(),
    current_state: jsonObject,
    steps: z.array(processStepSchema),
    form: jsonObject.nullable().describe("The JSON schema of the form a suspended step waits for"),
  });

export const statusCountsSchema = z
  .object({
    process_counts: z.record(z.string(), z.number()).describe("Workflow processes per status"),
    task_counts: z.record(z.string(), z.number()).describe("Task processes per status"),
  });

/** A row of `GET /subscriptions`. */
export const subscriptionListItemSchema = z.object({ ...subscriptionFields, product: productRefSchema });

export const fixedInputSchema = z
  .object({ fixed_input_id: z.string(), name: z.string(), value: z.string(), created_at: timestamp });

export const customerDescriptionSchema = z
  .object({
    id: z.string(),
    subscription_id: z.string(),
    customer_id: z.string(),
    description: z.string(),
    created_at: timestamp,
    version: z.number(),
  });

/** A process that ran on a subscription. */
export const subscriptionProcessRefSchema = z
  .object({
    process_id: z.string(),
    workflow_name: z.string(),
    workflow_target: targetSchema,
    is_task: z.boolean(),
    last_status: processStatusSchema,
    last_step: z.string().nullable(),
    created_by: z.string().nullable(),
    started_at: timestamp,
    last_modified_at: timestamp,
  });

/** `GET /subscriptions/{subscription_id}`. */
export const subscriptionDetailSchema = z
  .object({
    ...subscriptionFields,
    product: productRefSchema.extend({ fixed_inputs: z.array(fixedInputSchema) }),
    customer_descriptions: z.array(customerDescriptionSchema),
    metadata: jsonObject.nullable(),
    processes: z.array(subscriptionProcessRefSchema),
  });

/** `GET /subscriptions/domain-model/{subscription_id}`: the subscription's fields, fixed inputs and product blocks by name. */
export const domainModelSchema = jsonObject;

const relatedSubscription = z.object({ subscription_id: z.string(), subscription_description: z.string() });

/** One workflow of `GET /subscriptions/workflows/{subscription_id}`, with why it may not run now (if so). */
export const subscriptionWorkflowSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    reason: z.string().optional().describe("A translation key: why the workflow may not run now"),
    usable_when: z.array(z.string()).readonly().optional(),
    status: z.string().optional(),
    action: z.enum(["terminated", "modified"]).optional(),
    locked_relations: z.array(z.string()).optional(),
    locked_relations_detail: z.array(relatedSubscription).optional(),
    unterminated_in_use_by_subscriptions: z.array(z.string()).optional(),
    unterminated_in_use_by_subscriptions_detail: z.array(relatedSubscription).optional(),
  });

const workflowList = z.array(subscriptionWorkflowSchema);
export const subscriptionWorkflowsSchema = z
  .object({
    create: workflowList,
    modify: workflowList,
    terminate: workflowList,
    system: workflowList,
    validate: workflowList,
    reconcile: workflowList,
    reason: z.string().optional().describe("Why no workflow may run now (the subscription is locked or out of sync)"),
    locked_relations: z.array(z.string()).optional(),
    locked_relations_detail: z.array(relatedSubscription).optional(),
  });

const blockFields = {
  product_block_id: z.string(),
  name: z.string(),
  description: z.string(),
  tag: z.string().nullable(),
  status: z.string().nullable(),
};

/** `GET /products`: a product with its fixed inputs, blocks and workflows. */
export const productSchema = z
  .object({
    product_id: z.string(),
    name: z.string(),
    description: z.string(),
    product_type: z.string(),
    tag: z.string(),
    status: z.string(),
    created_at: timestamp,
    end_date: timestamp.nullable(),
    fixed_inputs: z.array(fixedInputSchema.extend({ product_id: z.string() })),
    product_blocks: z.array(z.object({ ...blockFields, created_at: timestamp, end_date: timestamp.nullable() })),
    workflows: z.array(
      z.object({ workflow_id: z.string(), name: z.string(), target: targetSchema, is_task: z.boolean(), description: z.string(), created_at: timestamp }),
    ),
  });

const resourceTypeFields = { resource_type_id: z.string(), resource_type: z.string(), description: z.string().nullable() };

/** `GET /product_blocks`: a block with its resource types and the blocks it depends on. */
export const productBlockSchema = z
  .object({
    ...blockFields,
    created_at: timestamp,
    end_date: timestamp.nullable(),
    resource_types: z.array(z.object(resourceTypeFields)),
    depends_on: z.array(z.object(blockFields)),
  });

/** `GET /resource_types`: a resource type with the blocks that have it. */
export const resourceTypeSchema = z
  .object({ ...resourceTypeFields, product_blocks: z.array(z.object(blockFields)) });

/** `GET /workflows`: a workflow in the database with its steps in code and its products. */
export const workflowSchema = z
  .object({
    workflow_id: z.string(),
    name: z.string(),
    target: targetSchema,
    is_task: z.boolean(),
    description: z.string(),
    created_at: timestamp,
    steps: z.array(z.object({ name: z.string() })).describe("The steps in code; [] when the code does not have the workflow"),
    products: z.array(
      z.object({ product_id: z.string(), name: z.string(), description: z.string(), tag: z.string(), product_type: z.string(), status: z.string() }),
    ),
  });

/** A row of `GET /workflows/registration`: a workflow in code, in the database, or both. */
export const workflowRegistrationSchema = z
  .object({
    name: z.string(),
    in_code: z.boolean(),
    module: z.string().nullable().describe("The module of its LazyWorkflowInstance"),
    in_database: z.boolean(),
    workflow_id: z.string().nullable(),
    target: z.string().nullable().describe("Target in code"),
    database_target: z.string().nullable(),
    is_task: z.boolean().nullable(),
    description: z.string().nullable(),
    product_types: z.array(z.string()),
    products: z.array(z.object({ product_id: z.string(), name: z.string() })),
    problems: z.array(z.string()),
  });

/** `GET /workflows/registration/check`: the verdict `db check` gives. */
export const registrationCheckSchema = z
  .object({
    ok: z.boolean(),
    problems: z.array(z.object({ kind: z.string(), workflow: z.string().nullable(), product: z.string().nullable(), message: z.string() })),
    products_without_all_workflows: z.record(z.string(), z.array(z.string())).describe("Active products → the targets they have no workflow for"),
  });

export const engineStatusSchema = z
  .object({ global_lock: z.boolean(), global_status: z.enum(["RUNNING", "PAUSING", "PAUSED"]), running_processes: z.number() });

export const workerStatusSchema = z
  .object({
    executor_type: z.string(),
    number_of_workers_online: z.number(),
    number_of_queued_jobs: z.number(),
    number_of_running_jobs: z.number(),
    workers: z
      .array(
        z.object({
          worker_id: z.string(),
          hostname: z.string(),
          pid: z.number(),
          capacity: z.number().describe("Processes it runs at a time (its MAX_WORKERS)"),
          running: z.number().describe("Processes it runs now (as of its last heartbeat)"),
          started_at: timestamp,
          heartbeat_at: timestamp,
        }),
      )
      .describe("The worker processes (EXECUTOR=worker); empty for the in-process executor"),
  });

export type ProductRef = z.output<typeof productRefSchema>;
export type ProcessSubscriptionRef = z.output<typeof processSubscriptionRefSchema>;
export type ProcessListItem = z.output<typeof processListItemSchema>;
export type ProcessStep = z.output<typeof processStepSchema>;
export type ProcessDetail = z.output<typeof processDetailSchema>;
export type SubscriptionListItem = z.output<typeof subscriptionListItemSchema>;
export type SubscriptionDetail = z.output<typeof subscriptionDetailSchema>;
export type Product = z.output<typeof productSchema>;
export type ProductBlock = z.output<typeof productBlockSchema>;
export type ResourceType = z.output<typeof resourceTypeSchema>;
export type Workflow = z.output<typeof workflowSchema>;
