/**
 * Writes new revision files: the data-branch root ("Create data head"), empty revisions for `db revision`, merge
 * revisions, and generated ones (later: migrate-workflows). Files are named `YYYY-MM-DD_<12-hex id>_<slug>.ts`.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A new revision id: 12 lower-case hex digits, like Alembic's. */
export function newRevisionId(): string {
  return randomBytes(6).toString("hex");
}

/** "add User and UserGroup workflows" → "add_user_and_usergroup_workflows" (at most ~40 characters, whole words). */
export function slugify(message: string, maxLength = 40): string {
  const words = message
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}_${word}` : word;
    if (next.length > maxLength && slug) break;
    slug = next.slice(0, Math.max(maxLength, word.length));
  }
  return slug || "revision";
}

/** The default template. `db init` copies it to `migrations/script.ts.tmpl`, where an app may change it. */
export const DEFAULT_TEMPLATE = `/**
 * \${message}.
 *
 * Revision ID: \${revision}
 * Revises: \${revises}
 * Create Date: \${create_date}
 */
\${imports}

export const revision = \${revision_literal};
export const down_revision = \${down_revision_literal};
export const branch_labels = \${branch_labels_literal};
export const depends_on = \${depends_on_literal};
\${preamble}
export async function upgrade(conn: MigrationConnection): Promise<void> {
\${upgrade_body}
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
\${downgrade_body}
}
`;

export interface NewRevision {
  message: string;
  /** Parent revision ids; empty for a new root. */
  downRevisions: readonly string[];
  branchLabels?: readonly string[];
  dependsOn?: readonly string[];
  /** Extra import lines (the MigrationConnection import is always there). */
  imports?: readonly string[];
  /** Code placed before `upgrade` (e.g. data lists). */
  preamble?: string;
  /** Body lines of upgrade/downgrade, already indented; empty means a no-op. */
  upgradeBody?: string;
  downgradeBody?: string;
  revision?: string;
  now?: Date;
}

export interface WriteRevisionOptions {
  /** The folder to write to (an app's `migrations/versions/schema`). */
  folder: string;
  /** Template file to use when it exists (an app's `migrations/script.ts.tmpl`). */
  templatePath?: string;
  /** Module that exports MigrationConnection and the helpers. */
  corePackage: string;
}

function literal(values: readonly string[] | undefined, single: boolean): string {
  if (!values || values.length === 0) return "null";
  if (single && values.length === 1) return JSON.stringify(values[0]);
  return `[${values.map((v) => JSON.stringify(v)).join(", ")}]`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export function renderRevision(rev: NewRevision & { revision: string }, template: string, corePackage: string): string {
  const now = rev.now ?? new Date();
  const createDate = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const imports = [`import type { MigrationConnection } from "${corePackage}";`, ...(rev.imports ?? [])].join("\n");
  const values: Record<string, string> = {
    message: rev.message.replace(/\*\//g, "* /").replace(/\.$/, ""),
    revision: rev.revision,
    revises: rev.downRevisions.join(", "),
    create_date: createDate,
    imports,
    revision_literal: JSON.stringify(rev.revision),
    down_revision_literal: literal(rev.downRevisions, true),
    branch_labels_literal: literal(rev.branchLabels, false),
    depends_on_literal: literal(rev.dependsOn, true),
    preamble: rev.preamble ? `\n${rev.preamble.trimEnd()}\n` : "",
    upgrade_body: rev.upgradeBody ?? "  // nothing to do",
    downgrade_body: rev.downgradeBody ?? "  // nothing to do",
  };
  return template.replace(/\$\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** Write a new revision file; returns its path and id. */
export function writeRevision(rev: NewRevision, options: WriteRevisionOptions): { path: string; revision: string } {
  const revision = rev.revision ?? newRevisionId();
  const now = rev.now ?? new Date();
  const template =
    options.templatePath && existsSync(options.templatePath) ? readFileSync(options.templatePath, "utf8") : DEFAULT_TEMPLATE;
  const text = renderRevision({ ...rev, revision, now }, template, options.corePackage);
  mkdirSync(options.folder, { recursive: true });
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const path = join(options.folder, `${date}_${revision}_${slugify(rev.message)}.ts`);
  writeFileSync(path, text, { flag: "wx" });
  return { path, revision };
}
