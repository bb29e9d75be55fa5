/**
 * Forms run outside any step but some need the database (the product choice of a create workflow, the subscription
 * check of a modify workflow). The engine runs every form inside this context, which gives them the database.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";

export interface FormContext {
  db: Kysely<Database>;
}

const storage = new AsyncLocalStorage<FormContext>();

export function runWithFormContext<T>(context: FormContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(context, fn);
}

/** The database, for use inside a form. */
export function formDb(): Kysely<Database> {
  const context = storage.getStore();
  if (!context) throw new OrchestratorError("no_form_context", "This form needs the database; run it through the engine (startProcess / resumeProcess)");
  return context.db;
}
