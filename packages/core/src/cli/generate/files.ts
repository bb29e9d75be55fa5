/**
 * How `generate` writes: every file is planned first, then written at once, so that a refusal leaves nothing half
 * done. `--dryrun` prints each file under a `// <path>` header instead (orchestrator-core's generate.py prints
 * `# <path>`); without `--force` a file that exists stops the command before anything is written. Merged files (the
 * products and workflows registries) are rewritten in place: only their generated section of this product changes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { OrchestratorError } from "../../errors.js";
import { GENERATED_MARK } from "./code.js";

/** A file `generate` writes, relative to the app's folder. */
export interface GeneratedFile {
  path: string;
  /** The whole new content; for a merge, computed from the current content (undefined: no such file yet). */
  content: string | ((current: string | undefined) => string);
  /** "create": refused when it exists unless --force; "merge": always updated (a registry). */
  mode: "create" | "merge";
}

export interface WriteOptions {
  appRoot: string;
  dryrun: boolean;
  force: boolean;
  out: (line: string) => void;
}

/** Write (or print) the files; throws OrchestratorError listing the files that exist when not forced. */
export function writeGenerated(files: readonly GeneratedFile[], options: WriteOptions): void {
  const absolute = (path: string) => join(options.appRoot, path);
  // --force overwrites what generate wrote, never a file of the app's own
  const foreign = files.filter((f) => f.mode === "create" && existsSync(absolute(f.path)) && !readFileSync(absolute(f.path), "utf8").includes(GENERATED_MARK));
  if (foreign.length > 0 && !options.dryrun) {
    throw new OrchestratorError(
      "generate_exists",
      `Not overwriting files that generate did not write (with or without --force; nothing was written): choose other names in the config (name, type, variable)\n  ${foreign.map((f) => f.path).join("\n  ")}`,
    );
  }
  if (!options.force && !options.dryrun) {
    const existing = files.filter((f) => f.mode === "create" && existsSync(absolute(f.path))).map((f) => f.path);
    if (existing.length > 0) {
      throw new OrchestratorError(
        "generate_exists",
        `Not overwriting files that exist (rerun with --force to overwrite the generated files; nothing was written):\n  ${existing.join("\n  ")}`,
      );
    }
  }
  const planned = files.map((f) => {
    const current = existsSync(absolute(f.path)) ? readFileSync(absolute(f.path), "utf8") : undefined;
    return { ...f, current, text: typeof f.content === "function" ? f.content(current) : f.content };
  });
  for (const f of planned) {
    if (options.dryrun) {
      options.out(`// ${f.path}`);
      options.out(f.text.trimEnd());
      options.out("");
      continue;
    }
    if (f.current === f.text) {
      options.out(`unchanged ${f.path}`);
      continue;
    }
    mkdirSync(dirname(absolute(f.path)), { recursive: true });
    writeFileSync(absolute(f.path), f.text);
    options.out(`${f.current === undefined ? "wrote" : f.mode === "merge" ? "updated" : "overwrote"} ${f.path}`);
  }
}

/**
 * Put `section` into `text` between the markers `// generate: <key>` and `// end generate: <key>`, replacing an
 * earlier one, or appending it; `imports` go after the last import line unless present already.
 */
export function mergeSection(text: string, key: string, section: string, imports: readonly string[]): string {
  const begin = `// generate: ${key}`;
  const end = `// end generate: ${key}`;
  const sectionLines = [begin, ...section.trimEnd().split("\n"), end];
  let lines = text.split("\n");
  // whole lines only: the key "user" must not find the section of "user_group"
  const start = lines.indexOf(begin);
  const stop = lines.indexOf(end);
  if (start >= 0 && stop > start) lines.splice(start, stop - start + 1, ...sectionLines);
  else {
    while (lines.length && lines.at(-1)!.trim() === "") lines.pop();
    lines = [...lines, "", ...sectionLines, ""];
  }
  const missing = imports.filter((line) => !lines.includes(line));
  if (missing.length) {
    // after the last import statement (a multi-line one ends with its `} from "…";` line)
    let last = -1;
    lines.forEach((line, i) => {
      if (/^import\s.*;\s*$/.test(line) || /^\}\s*from\s.*;\s*$/.test(line)) last = i;
    });
    lines.splice(last + 1, 0, ...missing);
  }
  return lines.join("\n");
}
