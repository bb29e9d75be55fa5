/** Temporary folders inside the repository (so files in them resolve this repo's node_modules), removed by `cleanup`. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const TMP_ROOT = join(REPO_ROOT, "tmp");

export function tempDir(prefix = "t"): { path: string; cleanup: () => void } {
  mkdirSync(TMP_ROOT, { recursive: true });
  const path = mkdtempSync(join(TMP_ROOT, `${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

/** Source of a migration file for tests: `up`/`down` are SQL texts (without parameters). */
export function migrationSource(opts: {
  revision: string;
  down?: string | string[] | null;
  labels?: string[];
  dependsOn?: string | null;
  message?: string;
  up?: string;
  down_sql?: string;
  upThrows?: string;
}): string {
  return `/**
 * ${opts.message ?? `revision ${opts.revision}`}.
 */
import { sql } from "kysely";
export const revision = ${JSON.stringify(opts.revision)};
export const down_revision = ${JSON.stringify(opts.down ?? null)};
export const branch_labels = ${JSON.stringify(opts.labels ?? null)};
export const depends_on = ${JSON.stringify(opts.dependsOn ?? null)};
export async function upgrade(conn) {
  ${opts.up ? `await sql.raw(${JSON.stringify(opts.up)}).execute(conn);` : ""}
  ${opts.upThrows ? `throw new Error(${JSON.stringify(opts.upThrows)});` : ""}
}
export async function downgrade(conn) {
  ${opts.down_sql ? `await sql.raw(${JSON.stringify(opts.down_sql)}).execute(conn);` : ""}
}
`;
}
