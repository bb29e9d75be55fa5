export type { MigrationConnection, MigrationModule } from "./types.js";
export { RevisionGraph, type RevisionNode, type RawRevision } from "./graph.js";
export { planUpgrade, planDowngrade } from "./plan.js";
export { loadMigrations, listMigrationFiles, type MigrationSet } from "./loader.js";
export { Migrator, VERSION_TABLE, type RevisionEvent, type RunOptions } from "./runner.js";
export { MigrationProject, CORE_VERSIONS_FOLDER, CORE_PACKAGE, SCHEMA_BRANCH, DATA_BRANCH } from "./project.js";
export { newRevisionId, slugify, writeRevision, renderRevision, DEFAULT_TEMPLATE, type NewRevision } from "./script.js";
