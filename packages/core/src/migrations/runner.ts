/**
 * Applies and undoes revisions against a database. The version table (`alembic_version`, as in orchestrator-core)
 * holds the applied heads. Every revision runs in its own transaction together with the version-table update, under
 * a transaction-scoped advisory lock; the applied set is re-read after taking the lock, so two concurrent runs never
 * apply the same revision twice.
 */
import { sql, type Kysely } from "kysely";
import { MigrationError } from "../errors.js";
import type { RevisionNode } from "./graph.js";
import type { MigrationSet } from "./loader.js";
import { planDowngrade, planUpgrade } from "./plan.js";

export const VERSION_TABLE = "alembic_version";
/** The advisory lock that serialises migration runs (the key is any constant: "orchest" in ASCII). */
const LOCK = sql.raw(`select pg_advisory_xact_lock(${0x6f726368657374n})`);

export type Direction = "upgrade" | "downgrade";

export interface RevisionEvent {
  direction: Direction;
  revision: RevisionNode;
  /** "Running upgrade a -> b" style description. */
  description: string;
  /** Milliseconds the revision took; undefined on the start event. */
  ms?: number;
  /** True when another run applied (or undid) it first, so this run skipped it. */
  skipped?: boolean;
}

export interface RunOptions {
  onStart?: (event: RevisionEvent) => void;
  onDone?: (event: RevisionEvent) => void;
}

export class Migrator {
  constructor(
    private readonly db: Kysely<any>,
    readonly set: MigrationSet,
  ) {}

  get graph() {
    return this.set.graph;
  }

  /** The rows of the version table (empty if it does not exist yet). */
  async versionRows(conn: Kysely<any> = this.db): Promise<string[]> {
    const exists = await sql<{ exists: boolean }>`select to_regclass(${VERSION_TABLE}) is not null as exists`.execute(conn);
    if (!exists.rows[0]?.exists) return [];
    const rows = await sql<{ version_num: string }>`select version_num from alembic_version`.execute(conn);
    return rows.rows.map((r) => r.version_num);
  }

  /** Everything applied: the version rows and all their ancestors. */
  async applied(conn: Kysely<any> = this.db): Promise<Set<string>> {
    return this.appliedFrom(await this.versionRows(conn));
  }

  /** The applied heads, in graph order. */
  async current(): Promise<string[]> {
    return this.graph.versionHeads(await this.applied());
  }

  async planUpgrade(target: string): Promise<string[]> {
    return planUpgrade(this.graph, await this.applied(), target);
  }

  async planDowngrade(target: string): Promise<string[]> {
    return planDowngrade(this.graph, await this.applied(), target);
  }

  /** Apply what `target` needs; returns the revisions this run applied. */
  async upgrade(target: string, options: RunOptions = {}): Promise<string[]> {
    await this.ensureVersionTable();
    const plan = await this.planUpgrade(target);
    const done: string[] = [];
    for (const id of plan) if (await this.run("upgrade", id, options)) done.push(id);
    return done;
  }

  /** Undo down to `target`; returns the revisions this run undid. */
  async downgrade(target: string, options: RunOptions = {}): Promise<string[]> {
    const plan = await this.planDowngrade(target);
    const done: string[] = [];
    for (const id of plan) if (await this.run("downgrade", id, options)) done.push(id);
    return done;
  }

  describeStep(direction: Direction, id: string): string {
    const node = this.graph.get(id);
    const down = node.downRevisions.join(", ");
    const arrow = direction === "upgrade" ? `${down} -> ${id}` : `${id} -> ${down}`;
    return `Running ${direction} ${arrow}${node.message ? `, ${node.message}` : ""}`;
  }

  private appliedFrom(rows: readonly string[]): Set<string> {
    for (const row of rows) {
      if (!this.graph.has(row)) {
        throw new MigrationError(
          `The database is at revision ${row}, which is not in any migration file (looked in ${this.set.locations.join(", ")})`,
        );
      }
    }
    return this.graph.ancestors(rows, true);
  }

  private async ensureVersionTable(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await LOCK.execute(trx);
      await sql`create table if not exists alembic_version (
        version_num varchar(32) not null,
        constraint alembic_version_pkc primary key (version_num)
      )`.execute(trx);
    });
  }

  /** Run one revision in its own transaction. Returns false when another run got there first. */
  private async run(direction: Direction, id: string, options: RunOptions): Promise<boolean> {
    const node = this.graph.get(id);
    const module = this.set.modules.get(id)!;
    const description = this.describeStep(direction, id);
    options.onStart?.({ direction, revision: node, description });
    const started = performance.now();
    let skipped = false;
    try {
      await this.db.transaction().execute(async (trx) => {
        await LOCK.execute(trx);
        const applied = await this.applied(trx);
        if (direction === "upgrade") {
          if (applied.has(id)) {
            skipped = true;
            return;
          }
          const missing = this.graph.parentsOf(id).filter((p) => !applied.has(p));
          if (missing.length) throw new Error(`its parent revision(s) ${missing.join(", ")} are not applied`);
          await module.upgrade(trx);
          applied.add(id);
        } else {
          if (!applied.has(id)) {
            skipped = true;
            return;
          }
          const dependents = [...this.graph.descendants([id])].filter((d) => applied.has(d));
          if (dependents.length) throw new Error(`revision(s) ${dependents.join(", ")} that build on it are still applied`);
          await module.downgrade(trx);
          applied.delete(id);
        }
        await this.writeVersionRows(trx, this.graph.versionHeads(applied));
      });
    } catch (error) {
      throw new MigrationError(
        `${direction === "upgrade" ? "Upgrade" : "Downgrade"} of revision ${id} (${node.source}) failed and was rolled back: ${(error as Error).message}`,
        { cause: error },
      );
    }
    options.onDone?.({ direction, revision: node, description, ms: performance.now() - started, skipped });
    return !skipped;
  }

  private async writeVersionRows(trx: Kysely<any>, heads: readonly string[]): Promise<void> {
    await sql`delete from alembic_version`.execute(trx);
    for (const head of heads) await sql`insert into alembic_version (version_num) values (${head})`.execute(trx);
  }
}
