export { openDatabase, defaultDataFolder, redactUri } from "./connection.js";
export type { OrchestratorDb, DatabaseKind, OpenDatabaseOptions } from "./connection.js";
export type { Listener, ListenHandlers, ListenerQuery } from "./listener.js";
export * from "./types.js";
