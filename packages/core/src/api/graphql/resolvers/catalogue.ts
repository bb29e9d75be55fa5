/** `products`, `productBlocks`, `resourceTypes`, `workflows` and their types. */
import type { GraphQLResolveInfo } from "graphql";
import { getWorkflow, isAuthorized } from "../../../workflow/index.js";
import {
  PRODUCT_BLOCKS,
  PRODUCTS,
  RESOURCE_TYPES,
  WORKFLOWS,
  listTable,
  tableCondition,
  textColumns,
  type ProductBlockRow,
  type ProductRow,
  type ResourceTypeRow,
  type TableList,
  type WorkflowRow,
} from "../../queries/catalogue.js";
import type { ListArgs } from "../arguments.js";
import type { GraphqlContext } from "../context.js";
import type { QueryTarget } from "../search-query.js";
import { enumName, snakeFields } from "./common.js";
import { rootConnection } from "./lists.js";
import { subscriptionsOf } from "./subscriptions.js";

type Context = GraphqlContext;

function target(list: TableList<unknown>): QueryTarget {
  return { condition: (filter) => tableCondition(list, filter), textColumns: textColumns(list), words: "exact" };
}

function rootList<Row>(table: TableList<Row>) {
  const queryTarget = target(table as TableList<unknown>);
  return (_: unknown, args: ListArgs, context: Context, info: GraphQLResolveInfo) =>
    rootConnection(args, table.spec, queryTarget, context, info, ({ list }, withItems) => listTable(context.db, table, list, withItems));
}

const blockFields = {
  ...snakeFields<ProductBlockRow>(["productBlockId", "name", "description", "tag", "createdAt", "endDate"]),
  status: (b: ProductBlockRow) => enumName(b.status),
  resourceTypes: (b: ProductBlockRow, _: unknown, context: Context) => context.loaders.blockResourceTypes.load(b.product_block_id),
  dependsOn: (b: ProductBlockRow, _: unknown, context: Context) => context.loaders.blockDependsOn.load(b.product_block_id),
  inUseBy: (b: ProductBlockRow, _: unknown, context: Context) => context.loaders.blockInUseBy.load(b.product_block_id),
};

export const catalogueResolvers = {
  Query: {
    products: rootList(PRODUCTS),
    productBlocks: rootList(PRODUCT_BLOCKS),
    resourceTypes: rootList(RESOURCE_TYPES),
    workflows: rootList(WORKFLOWS),
  },
  Product: {
    ...snakeFields<ProductRow>(["productId", "name", "description", "productType", "tag", "createdAt", "endDate"]),
    status: (p: ProductRow) => enumName(p.status),
    fixedInputs: (p: ProductRow, _: unknown, context: Context) => context.loaders.fixedInputs.load(p.product_id),
    productBlocks: (p: ProductRow, _: unknown, context: Context) => context.loaders.productBlocks.load(p.product_id),
    workflows: (p: ProductRow, _: unknown, context: Context) => context.loaders.productWorkflows.load(p.product_id),
    subscriptions: (p: ProductRow, args: ListArgs, context: Context, info: GraphQLResolveInfo) => subscriptionsOf("product", p.product_id, args, context, info),
  },
  FixedInput: snakeFields(["fixedInputId", "name", "value", "productId", "createdAt"]),
  ProductBlock: blockFields,
  ResourceType: {
    ...snakeFields<ResourceTypeRow>(["resourceTypeId", "resourceType", "description"]),
    productBlocks: (r: ResourceTypeRow, _: unknown, context: Context) => context.loaders.resourceTypeBlocks.load(r.resource_type_id),
  },
  Workflow: {
    ...snakeFields<WorkflowRow>(["workflowId", "name", "description", "isTask", "createdAt"]),
    target: (w: WorkflowRow) => enumName(w.target),
    products: (w: WorkflowRow, _: unknown, context: Context) => context.loaders.workflowProducts.load(w.workflow_id),
    // from the code, as orchestrator-core does: a workflow the code does not have has no steps and cannot be started
    steps: async (w: WorkflowRow) => {
      const workflow = await getWorkflow(w.name).catch(() => undefined);
      return workflow ? workflow.steps.steps.map((s) => ({ name: s.name, assignee: enumName(s.assignee) })) : [];
    },
    isAllowed: async (w: WorkflowRow, _: unknown, context: Context) => {
      const workflow = await getWorkflow(w.name).catch(() => undefined);
      return workflow ? isAuthorized(workflow, "start_workflow", context.user) : false;
    },
  },
};
