/**
 * The shapes of the REST API's answers (snake_case, as on the wire), taken from the types generated from the
 * server's OpenAPI document (openapi.gen.ts, written by scripts/api-types.ts): a route whose answer changes changes
 * them, and the UI's type check says where the UI reads what is no longer there.
 */
import type { paths } from "./openapi.gen.ts";

/** The methods a path of the API has. */
type MethodOf<P extends keyof paths> = {
  [M in keyof paths[P]]: paths[P][M] extends { responses: object } ? M : never;
}[keyof paths[P]];

/**
 * What ApiJson gives for an answer the document does not have: not `never` (which would fit anywhere and hide the
 * change), but a type no field can be read from, so the type check fails where the UI uses it.
 */
export interface MissingApiAnswer<P, M, Status> {
  readonly missing: [P, M, Status];
}

/** The JSON body of the `status` answer of `method` on `path`. */
export type ApiJson<P extends keyof paths, M extends MethodOf<P>, Status extends number = 200> = paths[P][M] extends {
  responses: { [S in Status]: { content: { "application/json": infer T } } };
}
  ? T
  : MissingApiAnswer<P, M, Status>;

/** A JSON value; the server describes states, forms and domain models only as objects of unknown values. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type ProcessListItem = ApiJson<"/api/processes", "get">[number];
export type ProcessDetail = ApiJson<"/api/processes/{process_id}", "get">;
export type ProcessStep = ProcessDetail["steps"][number];
export type ProcessStatus = ProcessListItem["last_status"];
export type StepStatus = ProcessStep["status"];
export type Target = ProcessListItem["workflow_target"];
export type StatusCounts = ApiJson<"/api/processes/status-counts", "get">;

export type SubscriptionListItem = ApiJson<"/api/subscriptions", "get">[number];
export type SubscriptionStatus = SubscriptionListItem["status"];
export type SubscriptionDetail = ApiJson<"/api/subscriptions/{subscription_id}", "get">;
export type SubscriptionProcessRef = SubscriptionDetail["processes"][number];
export type SubscriptionWorkflows = ApiJson<"/api/subscriptions/workflows/{subscription_id}", "get">;
export type SubscriptionWorkflow = SubscriptionWorkflows["create"][number];
/** The server describes it as an object of unknown values: parsed from JSON, they are JSON values. */
export type DomainModel = ApiJson<"/api/subscriptions/domain-model/{subscription_id}", "get"> & JsonObject;

export type Product = ApiJson<"/api/products", "get">[number];
export type ProductBlock = ApiJson<"/api/product_blocks", "get">[number];
export type ResourceType = ApiJson<"/api/resource_types", "get">[number];
export type Workflow = ApiJson<"/api/workflows", "get">[number];
export type Schedule = ApiJson<"/api/schedules", "get">[number];
export type WorkflowRegistration = ApiJson<"/api/workflows/registration", "get">[number];

export type EngineStatus = ApiJson<"/api/settings/status", "get">;
export type WorkerStatus = ApiJson<"/api/settings/worker-status", "get">;
export type StartedProcess = ApiJson<"/api/processes/{workflow_key}", "post", 201>;
export type ResumedTasks = ApiJson<"/api/processes/resume-all", "put">;

/**
 * A field error of a 400 "Form not valid" answer. Error answers are not in the OpenAPI document (they are the
 * problem bodies of problem.ts), so this one is written here.
 */
export interface ValidationError {
  loc: (string | number)[];
  msg: string;
  type?: string;
}
