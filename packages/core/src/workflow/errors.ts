import { OrchestratorError } from "../errors.js";

/** No workflow of that name is registered in code (HTTP 404 "Workflow does not exist"). */
export class WorkflowNotFoundError extends OrchestratorError {
  constructor(readonly workflowName: string) {
    super("workflow_not_found", "Workflow does not exist");
  }
}

/** The workflow is registered in code but has no row in the `workflows` table (add it with a migration). */
export class WorkflowNotInDatabaseError extends OrchestratorError {
  constructor(readonly workflowName: string) {
    super("workflow_not_in_database", `No workflow found with name: ${workflowName}`);
  }
}

/** The process's workflow is in the database but no longer registered in code. */
export class WorkflowRemovedError extends OrchestratorError {
  constructor(action: "started" | "resumed") {
    super("workflow_removed", `This workflow cannot be ${action} because it has been removed`);
  }
}

export class ProcessNotFoundError extends OrchestratorError {
  constructor(readonly processId: string) {
    super("process_not_found", `Process ${processId} does not exist`);
  }
}

/** The process is in a status that does not allow what was asked (HTTP 409). */
export class ProcessConflictError extends OrchestratorError {
  constructor(message: string) {
    super("process_conflict", message);
  }
}

/**
 * This engine's lease on the process was lost (its session ended): the step's checkpoint is not written, since
 * another engine may be taking the process over; recovery resumes it from its last checkpoint.
 */
export class LeaseLostError extends OrchestratorError {
  constructor(processId: string) {
    super("lease_lost", `The lease on process ${processId} was lost with its database session; the process is left to recovery`);
  }
}

/** The workflow's run predicate refused the start. */
export class StartPredicateError extends OrchestratorError {
  constructor(
    readonly workflowName: string,
    message: string,
  ) {
    super("start_predicate", message);
  }
}

/** A callback arrived with a token that does not match the awaiting step's. */
export class InvalidCallbackTokenError extends OrchestratorError {
  constructor() {
    super("invalid_token", "Invalid token");
  }
}
