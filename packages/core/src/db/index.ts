export { openDatabase, defaultDataFolder, redactUri } from "./connection.js";
export type { OrchestratorDb, DatabaseKind, OpenDatabaseOptions } from "./connection.js";
export * from "./types.js";
