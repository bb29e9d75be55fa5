export { openDatabase, defaultDataFolder, namedStatement } from "./connection.js";
export { redactUri } from "./redact.js";
export { withClusterLock, clusterLockKeySql } from "./cluster-lock.js";
export { isDatabaseConnectionError, sessionEndedBeforeStatement } from "./connection-errors.js";
export type { OrchestratorDb, DatabaseKind, OpenDatabaseOptions, DedicatedConnection, PreparedQuery } from "./connection.js";
export type { Listener, ListenHandlers, ListenerQuery } from "./listener.js";
export * from "./types.js";
export { STATE_SNAPSHOT_EVERY, encodeStepState, rebuildStepStates, applyStepStateDelta, type StepState, type StepStateBase, type StepStateDelta, type EncodedStepState } from "./step-states.js";
