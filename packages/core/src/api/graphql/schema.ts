/**
 * The GraphQL schema (SDL) of `/api/graphql`: orchestrator-core's query fields that the WFO UI (version 9) sends, with
 * the names its documents depend on (`SubscriptionInterface`, the inputs `GraphqlFilter` and `GraphqlSort`, the enum
 * values ASC/DESC) and the upper-case enum names the original answers with (`lastStatus: COMPLETED`). Object type
 * names are ours: the UI never names them. docs/api.md describes every field.
 */
const listArgs = "filterBy: [GraphqlFilter!], sortBy: [GraphqlSort!], first: Int = 10, after: Int = 0";

export const SCHEMA = /* GraphQL */ `
schema {
  query: Query
}

"A UUID as text"
scalar UUID
"An ISO-8601 timestamp"
scalar DateTime
"Any JSON value"
scalar JSON

enum SortOrder { ASC DESC }
input GraphqlSort { field: String!, order: SortOrder! = ASC }
input GraphqlFilter { field: String!, value: String! }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: Int
  endCursor: Int
  totalItems: Int
  sortFields: [String!]!
  filterFields: [String!]!
}

enum ProcessStatus { CREATED RUNNING SUSPENDED WAITING AWAITING_CALLBACK ABORTED FAILED API_UNAVAILABLE INCONSISTENT_DATA COMPLETED RESUMED }
enum SubscriptionLifecycle { INITIAL ACTIVE MIGRATING DISABLED TERMINATED PROVISIONING }
enum ProductLifecycle { ACTIVE PRE_PRODUCTION PHASE_OUT END_OF_LIFE }
enum Target { CREATE MODIFY TERMINATE SYSTEM VALIDATE RECONCILE }
enum Assignee { NOC SYSTEM CHANGES KLANTSUPPORT }

type Query {
  processes(${listArgs}, query: String): ProcessConnection!
  subscriptions(${listArgs}, query: String): SubscriptionConnection!
  products(${listArgs}, query: String): ProductConnection!
  productBlocks(${listArgs}, query: String): ProductBlockConnection!
  resourceTypes(${listArgs}, query: String): ResourceTypeConnection!
  workflows(${listArgs}, query: String): WorkflowConnection!
  scheduledTasks(${listArgs}): ScheduledTaskConnection!
  customers(filterBy: [GraphqlFilter!], sortBy: [GraphqlSort!], first: Int = 1, after: Int = 0): CustomerConnection!
  version: Version!
}

type Version { applicationVersions: [String!]! }

type ProcessConnection { page: [Process!]!, pageInfo: PageInfo! }
type SubscriptionConnection { page: [SubscriptionInterface!]!, pageInfo: PageInfo! }
type ProductConnection { page: [Product!]!, pageInfo: PageInfo! }
type ProductBlockConnection { page: [ProductBlock!]!, pageInfo: PageInfo! }
type ResourceTypeConnection { page: [ResourceType!]!, pageInfo: PageInfo! }
type WorkflowConnection { page: [Workflow!]!, pageInfo: PageInfo! }
type ScheduledTaskConnection { page: [ScheduledTask!]!, pageInfo: PageInfo! }
type CustomerConnection { page: [Customer!]!, pageInfo: PageInfo! }

type Process {
  processId: UUID!
  workflowId: UUID!
  workflowName: String!
  workflowTarget: Target
  isTask: Boolean!
  lastStep: String
  lastStatus: ProcessStatus!
  assignee: Assignee!
  failedReason: String
  traceback: String
  createdBy: String
  startedAt: DateTime!
  lastModifiedAt: DateTime!
  note: String
  "The product of the process's first subscription"
  productId: UUID
  product: Product
  customerId: String
  customer: Customer!
  "The steps run so far, then the workflow's steps still to come (status pending)"
  steps: [ProcessStep!]!
  "The JSON Schema of the form a suspended process waits for"
  form: JSON
  currentState: JSON
  userPermissions: FormUserPermissions!
  subscriptions(${listArgs}): SubscriptionConnection!
}

type ProcessStep {
  stepId: UUID
  name: String!
  status: String!
  createdBy: String
  started: DateTime
  completed: DateTime
  state: JSON
  stateDelta: JSON
}

type FormUserPermissions { retryAllowed: Boolean!, resumeAllowed: Boolean! }

interface SubscriptionInterface {
  subscriptionId: UUID!
  description: String!
  status: SubscriptionLifecycle!
  insync: Boolean!
  note: String
  startDate: DateTime
  endDate: DateTime
  productId: UUID!
  customerId: String!
  version: Int!
  product: Product!
  customer: Customer!
  customerDescriptions: [CustomerDescription!]!
  "The product's fixed inputs as [{field, value}]"
  fixedInputs: JSON!
  metadata: JSON!
  productBlockInstances: [ProductBlockInstance!]!
  processes(${listArgs}): ProcessConnection!
  inUseBySubscriptions(${listArgs}): SubscriptionConnection!
  dependsOnSubscriptions(${listArgs}): SubscriptionConnection!
}

"A subscription of any product (the UI selects interface fields only)"
type SubscriptionType implements SubscriptionInterface {
  subscriptionId: UUID!
  description: String!
  status: SubscriptionLifecycle!
  insync: Boolean!
  note: String
  startDate: DateTime
  endDate: DateTime
  productId: UUID!
  customerId: String!
  version: Int!
  product: Product!
  customer: Customer!
  customerDescriptions: [CustomerDescription!]!
  fixedInputs: JSON!
  metadata: JSON!
  productBlockInstances: [ProductBlockInstance!]!
  processes(${listArgs}): ProcessConnection!
  inUseBySubscriptions(${listArgs}): SubscriptionConnection!
  dependsOnSubscriptions(${listArgs}): SubscriptionConnection!
}

"One product-block instance of a subscription's tree, depth first; parent is the id of the enclosing block"
type ProductBlockInstance {
  id: Int!
  parent: Int
  subscriptionInstanceId: UUID!
  ownerSubscriptionId: UUID!
  "[{field, value}] of the block's values, its name and label included"
  productBlockInstanceValues: JSON!
  "[{subscription_instance_id, subscription_id}] of the blocks of other subscriptions that use it"
  inUseByRelations: JSON!
  "The subscription that owns the block"
  subscription: SubscriptionInterface!
}

type CustomerDescription {
  id: UUID!
  subscriptionId: UUID!
  customerId: String!
  description: String!
  createdAt: DateTime
  version: Int
}

type Customer {
  customerId: String!
  fullname: String!
  shortcode: String!
  "The customer's subscriptions (the WFO UI's customer list counts them; orchestrator-core has no such field)"
  subscriptions(${listArgs}): SubscriptionConnection!
}

type Product {
  productId: UUID!
  name: String!
  description: String!
  productType: String!
  tag: String!
  status: ProductLifecycle!
  createdAt: DateTime!
  endDate: DateTime
  fixedInputs: [FixedInput!]!
  productBlocks: [ProductBlock!]!
  workflows: [Workflow!]!
  subscriptions(${listArgs}): SubscriptionConnection!
}

type FixedInput { fixedInputId: UUID!, name: String!, value: String!, productId: UUID!, createdAt: DateTime }

type ProductBlock {
  productBlockId: UUID!
  name: String!
  description: String!
  tag: String
  status: ProductLifecycle
  createdAt: DateTime!
  endDate: DateTime
  resourceTypes: [ResourceType!]!
  dependsOn: [ProductBlock!]!
  inUseBy: [ProductBlock!]!
}

type ResourceType {
  resourceTypeId: UUID!
  resourceType: String!
  description: String
  productBlocks: [ProductBlock!]!
}

type Workflow {
  workflowId: UUID!
  name: String!
  description: String
  target: Target!
  isTask: Boolean!
  createdAt: DateTime!
  "Whether the user may start it (its authorizeCallback)"
  isAllowed: Boolean!
  products: [Product!]!
  "Its steps, from the code"
  steps: [Step!]!
}

type Step { name: String!, assignee: Assignee }

type ScheduledTask {
  id: String!
  name: String
  "The next run (UTC)"
  nextRunTime: DateTime
  "cron[<expression>] or interval[<duration>] (APScheduler's form: interval[1:00:00], interval[1 day, 0:00:00])"
  trigger: String!
  workflowId: String
  workflowName: String
}
`;
