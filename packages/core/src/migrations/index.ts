/**
 * Migrations: the revision graph, the runner, the project (folders, branches, new revisions) and the helpers that
 * migration files call (`@orchestrator-ts/core/migrations`, also at the package root).
 */
export { sql } from "kysely";
export type { MigrationConnection, MigrationModule } from "./types.js";
export { RevisionGraph, type RevisionNode, type RawRevision } from "./graph.js";
export { planUpgrade, planDowngrade } from "./plan.js";
export { loadMigrations, listMigrationFiles, type MigrationSet } from "./loader.js";
export { Migrator, VERSION_TABLE, type RevisionEvent, type RunOptions } from "./runner.js";
export { MigrationProject, CORE_VERSIONS_FOLDER, CORE_PACKAGE, SCHEMA_BRANCH, DATA_BRANCH } from "./project.js";
export { newRevisionId, slugify, writeRevision, renderRevision, DEFAULT_TEMPLATE, type NewRevision } from "./script.js";
export {
  addProductBlockRelationBetweenProductsById,
  addProductsToWorkflowByProductTag,
  backfillResourceTypeWithDefault,
  convertInstanceRelationsToResourceTypeRelationsByDomainModelAttr,
  convertResourceTypeRelationsToInstanceRelations,
  create,
  createFixedInputs,
  createProductBlocks,
  createProducts,
  createResourceTypesForProductBlocks,
  createTask,
  createWorkflow,
  createWorkflows,
  delete,
  deleteObsolete,
  deleteProduct,
  deleteProductBlock,
  deleteProductsByTag,
  deleteResourceType,
  deleteResourceTypeById,
  deleteResourceTypes,
  deleteResourceTypesFromProductBlocks,
  deleteWorkflow,
  ensureDefaultWorkflows,
  getAllActiveProductsAndIds,
  getFixedInputIdByName,
  getFixedInputsByProductId,
  getProductBlockIdByName,
  getProductById,
  getProductIdByName,
  getProductIdsByProductType,
  getProductNameById,
  getResourceTypeIdByName,
  hasTableColumn,
  insertResourceType,
  removeProductBlockRelationBetweenProductsById,
  removeProductsFromWorkflowByProductTag,
  removeResourceTypeFromSubscriptionInstance,
  Target,
  type CreateProductBlockRecord,
  type CreateProductRecord,
  type CreateSpec,
  type FixedInputRow,
  type FixedInputSpec,
  type ObsoleteSpec,
  type ProductBlockRecord,
  type ProductRecord,
  type ProductRow,
  type ResourceTypesByProductBlock,
  type ResourceTypeSpec,
  type TaskRecord,
  type WorkflowRecord,
  type WorkflowsEntry,
} from "./helpers.js";
