/**
 * What the parts of `db migrate-domain-models`' planner share: the models, the catalogue before and as planned, the
 * answers, and the statements so far — in four scripts that make up the migration in this order: renames,
 * removals of subscription data (backed up), catalogue changes, additions of subscription data.
 */
import type { BlockDescription, RegistryDescription } from "../domain/index.js";
import type { DbCatalogue } from "./domain-catalogue.js";
import type { Questions } from "./domain-questions.js";

/** `--updates`: renames (orchestrator-core's `ModelUpdates`, plus `block_attributes`). */
export interface DomainUpdates {
  /** Resource type renames, old → new, in every block that has the old one and whose model has the new one. */
  resource_types?: Record<string, string>;
  /** Resource type renames in one block: block → { old → new }. */
  block_resource_types?: Record<string, Record<string, string>>;
  /** Fixed input renames per product: product → { old → new }. */
  fixed_inputs?: Record<string, Record<string, string>>;
  /** Renamed block attributes (the `domain_model_attr` of instance relations): block → { old → new }. */
  block_attributes?: Record<string, Record<string, string>>;
}

/** Statements in upgrade order, each with its undo; the downgrade runs the undos in reverse order. */
export class Script {
  readonly up: string[] = [];
  readonly down: string[] = [];
  add(up: string | readonly string[], down: string | readonly string[] = []): void {
    this.up.push(...(typeof up === "string" ? [up] : up));
    this.down.unshift(...(typeof down === "string" ? [down] : down));
  }
}

export interface PlanContext {
  readonly registry: RegistryDescription;
  readonly modelBlocks: ReadonlyMap<string, BlockDescription>;
  /** The catalogue as it is. */
  readonly before: DbCatalogue;
  /** The catalogue as it will be after what is planned so far. */
  readonly dbc: DbCatalogue;
  readonly questions: Questions;
  readonly updates: DomainUpdates;
  /** Key of this migration's backup of deleted subscription data. */
  readonly backupKey: string;
  /** Whether the backup table statement (and its restore) is in the removals yet. */
  backupStarted: boolean;
  /** Per-block resource type moves (old → new), done in the catalogue step after new resource types exist. */
  readonly moves: { block: string; from: string; to: string }[];
  /** Renames, first: everything after them uses the new names. */
  readonly renames: Script;
  /** Subscription data that goes (backed up), before the catalogue rows it needs go. */
  readonly removals: Script;
  readonly catalogue: Script;
  /** Subscription data that comes, after the catalogue rows it needs. */
  readonly additions: Script;
  /** One line per change, for the summary. */
  readonly changes: string[];
}
