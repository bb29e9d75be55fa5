/**
 * Finds migration files in version locations, imports them and checks their exports, giving a RevisionGraph and
 * the modules to run.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { MigrationError } from "../errors.js";
import { RevisionGraph, type RawRevision } from "./graph.js";
import type { MigrationModule } from "./types.js";

export interface MigrationSet {
  readonly graph: RevisionGraph;
  readonly modules: ReadonlyMap<string, MigrationModule>;
  /** Version locations, in the order given. */
  readonly locations: readonly string[];
}

const MIGRATION_FILE = /^[^._].*\.(ts|mts|js|mjs)$/;

/** Migration files of a folder, sorted by name (declaration files and names starting with _ or . are skipped). */
export function listMigrationFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => MIGRATION_FILE.test(name) && !name.endsWith(".d.ts"))
    .sort()
    .map((name) => join(folder, name));
}

/** The first line of the file's leading block comment, without a trailing period. */
export function readMessage(path: string): string {
  const text = readFileSync(path, "utf8");
  const comment = text.match(/^\s*\/\*+([\s\S]*?)\*\//);
  if (!comment) return "";
  const line = comment[1]!
    .split("\n")
    .map((l) => l.replace(/^\s*\*?\s?/, "").trim())
    .find((l) => l.length > 0);
  return (line ?? "").replace(/\.$/, "");
}

function asList(value: unknown, what: string, source: string): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return [...value];
  throw new MigrationError(`${source}: ${what} must be a string, a list of strings or null, not ${JSON.stringify(value)}`);
}

function describePath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

async function loadFile(path: string): Promise<{ raw: RawRevision; module: MigrationModule }> {
  const source = describePath(path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new MigrationError(`Cannot load migration ${source}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof mod.revision !== "string" || mod.revision.length === 0) {
    throw new MigrationError(`${source} does not export a revision id (export const revision = "…")`);
  }
  if (!("down_revision" in mod)) {
    throw new MigrationError(`${source} does not export down_revision (null for a root revision)`);
  }
  for (const fn of ["upgrade", "downgrade"] as const) {
    if (typeof mod[fn] !== "function") {
      throw new MigrationError(`${source} does not export an ${fn}(conn) function`);
    }
  }
  const raw: RawRevision = {
    revision: mod.revision,
    downRevisions: asList(mod.down_revision, "down_revision", source),
    branchLabels: asList(mod.branch_labels, "branch_labels", source),
    dependsOn: asList(mod.depends_on, "depends_on", source),
    source,
    message: typeof mod.message === "string" ? mod.message : readMessage(path),
  };
  return { raw, module: mod as unknown as MigrationModule };
}

/** Load every migration of the given folders (later folders' files come after earlier ones in ties). */
export async function loadMigrations(locations: readonly string[]): Promise<MigrationSet> {
  const files = locations.flatMap(listMigrationFiles);
  const loaded = await Promise.all(files.map(loadFile));
  const graph = new RevisionGraph(loaded.map((l) => l.raw));
  const modules = new Map(loaded.map((l) => [l.raw.revision, l.module]));
  return { graph, modules, locations };
}
